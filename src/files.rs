//! Reading and writing whole files. Writes are atomic: a reader sees the
//! old file or the new one, never half of either, and a failed or
//! interrupted run never leaves a half-written file where a complete one is
//! expected. Part of the native library: it knows nothing of the language.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be read or written.
#[derive(Debug)]
pub enum FileError {
    /// The file to read does not exist.
    NotFound {
        path: PathBuf,
    },
    Read {
        path: PathBuf,
        source: io::Error,
    },
    /// The folder a file was to be written into could not be made.
    CreateFolder {
        folder: PathBuf,
        source: io::Error,
    },
    Write {
        path: PathBuf,
        source: io::Error,
    },
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            FileError::NotFound { path } => write!(f, "`{}` not found", path.display()),
            FileError::Read { path, source } => {
                write!(f, "cannot read `{}`: {source}", path.display())
            }
            FileError::CreateFolder { folder, source } => {
                write!(f, "cannot create folder `{}`: {source}", folder.display())
            }
            FileError::Write { path, source } => {
                write!(f, "cannot write `{}`: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::NotFound { .. } => None,
            FileError::Read { source, .. }
            | FileError::CreateFolder { source, .. }
            | FileError::Write { source, .. } => Some(source),
        }
    }
}

/// Writes `bytes` to a hidden temporary file beside `path`
/// (`.{name}.tmp-{pid}`, so that concurrent processes never share one),
/// syncs it, then renames it over `path`. Creates the folder if needed. On
/// failure the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    if !dir.is_dir() {
        fs::create_dir_all(&dir).map_err(|source| FileError::CreateFolder {
            folder: dir.clone(),
            source,
        })?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|source| {
        let _ = fs::remove_file(&tmp);
        FileError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Reads a whole file, with a one-line error naming it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, FileError> {
    fs::read(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => FileError::NotFound {
            path: path.to_path_buf(),
        },
        _ => FileError::Read {
            path: path.to_path_buf(),
            source,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("optimist-write-{}", std::process::id()));
        let path = dir.join("a.txt");
        write_atomic(&path, b"hello").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1);
        assert_eq!(read_file(&path).unwrap(), b"hello");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_file_is_named() {
        let path = Path::new("no/such/file.txt");
        let err = read_file(path).unwrap_err();
        assert!(matches!(&err, FileError::NotFound { .. }), "{err:?}");
        assert_eq!(err.to_string(), "`no/such/file.txt` not found");
    }
}
