//! Reading and writing whole files. Writes are atomic: a reader sees the
//! old file or the new one, never half of either, and a failed or
//! interrupted run never leaves a half-written file where a complete one is
//! expected. Part of the native library: it knows nothing of the language.
//!
//! Every writer gets its own temporary file beside the target
//! (`.{name}.tmp-{pid}-{thread}-{counter}`), so concurrent writers — threads
//! or processes — never share one: each renames its complete file over the
//! target and the last complete writer wins, whole. A temporary left by a
//! killed writer is removed by the next write to the same target once its
//! process is gone. Only regular files are read or written: a symlink is
//! written through to its target, and a directory, named pipe or device is
//! refused with an error instead of being replaced (or blocking a read).

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
    /// The path names something other than a regular file (a directory, a
    /// named pipe, a device), which is neither read nor replaced.
    NotRegular {
        path: PathBuf,
        what: &'static str,
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
            FileError::NotRegular { path, what } => {
                write!(f, "`{}` is {what}, not a regular file", path.display())
            }
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::NotFound { .. } | FileError::NotRegular { .. } => None,
            FileError::Read { source, .. }
            | FileError::CreateFolder { source, .. }
            | FileError::Write { source, .. } => Some(source),
        }
    }
}

/// What a non-regular file is, in words (`a directory`, `a named pipe`).
pub fn kind_of(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Checks that `path` (following symlinks) is a regular file, without
/// opening it: opening a named pipe would block.
pub fn check_regular(path: &Path) -> Result<(), FileError> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) => Err(FileError::NotRegular {
            path: path.to_path_buf(),
            what: kind_of(&meta),
        }),
        Err(source) if source.kind() == io::ErrorKind::NotFound => Err(FileError::NotFound {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(FileError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Where a write to `path` lands: `path` itself, or, for a symlink, the
/// file it finally points to (which may not exist yet). Anything that
/// exists there must be a regular file.
pub fn write_target(path: &Path) -> Result<PathBuf, FileError> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&at) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(at),
            Err(source) => return Err(FileError::Write { path: at, source }),
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&at).map_err(|source| FileError::Write {
                    path: at.clone(),
                    source,
                })?;
                at = if link.is_absolute() {
                    link
                } else {
                    at.parent().unwrap_or(Path::new("")).join(link)
                };
            }
            Ok(meta) if meta.is_file() => return Ok(at),
            Ok(meta) => {
                return Err(FileError::NotRegular {
                    path: path.to_path_buf(),
                    what: kind_of(&meta),
                })
            }
        }
    }
    Err(FileError::Write {
        path: path.to_path_buf(),
        source: io::Error::other("too many levels of symbolic links"),
    })
}

/// The temporary files of `name`'s writers start with this.
fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

/// A temporary name no other writer uses: this process, this thread, and a
/// counter for successive writes.
fn temp_name(name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static THREADS: AtomicU64 = AtomicU64::new(0);
    thread_local! {
        static THREAD: u64 = THREADS.fetch_add(1, Ordering::Relaxed);
    }
    let thread = THREAD.with(|t| *t);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}{}-{thread}-{n}", temp_prefix(name), std::process::id())
}

/// Whether process `pid` is running; `true` where that cannot be told.
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes the temporaries of `name` in `dir` whose writing process is
/// gone (killed mid-write). Best effort: errors are ignored.
pub fn remove_stale_temporaries(dir: &Path, name: &str) {
    let prefix = temp_prefix(name);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if let Ok(pid) = pid.parse::<u32>() {
            if pid != std::process::id() && !alive(pid) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes `bytes` to a temporary file beside `path` that is unique to this
/// writer (see the module's doc), syncs it, then renames it over `path`.
/// Creates the folder if needed. A symlink is written through to its
/// target; a directory, named pipe or device at `path` is refused. On
/// failure the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let target = write_target(path)?;
    let tmp = write_temporary(&target, bytes)?;
    fs::rename(&tmp, &target).map_err(|source| {
        let _ = fs::remove_file(&tmp);
        FileError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Writes `bytes` to a fresh temporary beside `target` (a path
/// `write_target` returned), synced; returns its path. The caller renames
/// it into place (or removes it).
pub fn write_temporary(target: &Path, bytes: &[u8]) -> Result<PathBuf, FileError> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    if !dir.is_dir() {
        fs::create_dir_all(&dir).map_err(|source| FileError::CreateFolder {
            folder: dir.clone(),
            source,
        })?;
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    remove_stale_temporaries(&dir, &name);
    let tmp = dir.join(temp_name(&name));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(source) => {
            let _ = fs::remove_file(&tmp);
            Err(FileError::Write {
                path: target.to_path_buf(),
                source,
            })
        }
    }
}

/// An advisory lock on a folder, held until dropped. Writers of a pair of
/// files (a checkpoint and its sidecar) hold it exclusively around their
/// renames and readers shared around their reads, so that concurrent
/// writers leave the last one's pair whole and a reader never reads one
/// writer's file beside another's. Best effort: where the folder cannot
/// be opened or locked, nothing is held.
pub struct FolderLock {
    _file: Option<fs::File>,
}

/// Locks the folder that holds `path` (exclusive: for writing).
pub fn lock_folder_of(path: &Path, exclusive: bool) -> FolderLock {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = fs::File::open(dir).ok().filter(|f| {
        if exclusive {
            f.lock().is_ok()
        } else {
            f.lock_shared().is_ok()
        }
    });
    FolderLock { _file: file }
}

/// Reads a whole regular file, with a one-line error naming it. A named
/// pipe, device or directory is refused without being opened.
pub fn read_file(path: &Path) -> Result<Vec<u8>, FileError> {
    check_regular(path)?;
    fs::read(path).map_err(|source| read_error(path, source))
}

fn read_error(path: &Path, source: io::Error) -> FileError {
    match source.kind() {
        io::ErrorKind::NotFound => FileError::NotFound {
            path: path.to_path_buf(),
        },
        _ => FileError::Read {
            path: path.to_path_buf(),
            source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("optimist-files-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_and_leaves_no_temporary() {
        let dir = scratch("plain");
        let path = dir.join("a.txt");
        write_atomic(&path, b"hello").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "hello");
        let left: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1);
        assert_eq!(read_file(&path).unwrap(), b"hello");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_file_is_named() {
        let path = Path::new("no/such/file.txt");
        let err = read_file(path).unwrap_err();
        assert!(matches!(&err, FileError::NotFound { .. }), "{err:?}");
        assert_eq!(err.to_string(), "`no/such/file.txt` not found");
    }

    #[test]
    fn temporary_names_differ_per_writer() {
        let a = temp_name("x");
        let b = temp_name("x");
        let c = std::thread::spawn(|| temp_name("x")).join().unwrap();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(b, c);
        assert!(
            a.starts_with(&format!(".x.tmp-{}-", std::process::id())),
            "{a}"
        );
    }

    /// Many threads write different contents to one path while a reader
    /// watches: every write succeeds, every read sees one writer's whole
    /// content, and the file ends as one writer's whole content.
    #[test]
    fn concurrent_writers_never_mix_or_fail() {
        let dir = scratch("race");
        let path = dir.join("shared.jsonl");
        let len = 64 * 1024;
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let reader = s.spawn(|| {
                let mut seen = 0;
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(bytes) = fs::read(&path) {
                        assert_eq!(bytes.len(), len, "a partial file was visible");
                        assert!(bytes.iter().all(|&b| b == bytes[0]), "mixed writers");
                        seen += 1;
                    }
                }
                seen
            });
            let writers: Vec<_> = (0..16u8)
                .map(|w| {
                    let path = &path;
                    s.spawn(move || {
                        for _ in 0..20 {
                            write_atomic(path, &vec![b'a' + w; len]).unwrap();
                        }
                    })
                })
                .collect();
            for w in writers {
                w.join().unwrap();
            }
            stop.store(true, Ordering::Relaxed);
            assert!(reader.join().unwrap() > 0);
        });
        let bytes = fs::read(&path).unwrap();
        assert_eq!(bytes.len(), len);
        assert!(bytes.iter().all(|&b| b == bytes[0]));
        let left: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "temporaries left behind: {left:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A killed writer's temporary (its process gone) is removed by the
    /// next write to the same target; a live process's is kept.
    #[test]
    #[cfg(target_os = "linux")]
    fn stale_temporaries_are_removed_on_the_next_write() {
        let dir = scratch("stale");
        let path = dir.join("p.safetensors");
        // pid 2^22 + 1 is above Linux's pid_max: never a running process.
        let dead = dir.join(".p.safetensors.tmp-4194305-0-0");
        let legacy = dir.join(".p.safetensors.tmp-4194305");
        let live = dir.join(format!(".p.safetensors.tmp-{}-9-9", std::process::id()));
        let other = dir.join(".q.safetensors.tmp-4194305-0-0");
        for f in [&dead, &legacy, &live, &other] {
            fs::write(f, b"half").unwrap();
        }
        write_atomic(&path, b"whole").unwrap();
        assert!(!dead.exists() && !legacy.exists());
        assert!(live.exists(), "a running writer's temporary was removed");
        assert!(other.exists(), "another target's temporary was removed");
        assert_eq!(fs::read(&path).unwrap(), b"whole");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn a_symlink_is_written_through_to_its_target() {
        let dir = scratch("link");
        let target = dir.join("real.txt");
        fs::write(&target, b"old").unwrap();
        let link = dir.join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&target).unwrap(), b"new");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn devices_pipes_and_folders_are_refused() {
        let dir = scratch("special");
        let err = write_atomic(Path::new("/dev/null"), b"x").unwrap_err();
        assert!(
            matches!(
                err,
                FileError::NotRegular {
                    what: "a device",
                    ..
                }
            ),
            "{err:?}"
        );
        {
            use std::os::unix::fs::FileTypeExt;
            assert!(fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device());
        }
        let err = write_atomic(&dir, b"x").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("`{}` is a directory, not a regular file", dir.display())
        );
        let err = read_file(&dir).unwrap_err();
        assert!(matches!(
            err,
            FileError::NotRegular {
                what: "a directory",
                ..
            }
        ));
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Would block forever if the pipe were opened.
            let err = read_file(&fifo).unwrap_err();
            assert!(matches!(
                err,
                FileError::NotRegular {
                    what: "a named pipe",
                    ..
                }
            ));
            let err = write_atomic(&fifo, b"x").unwrap_err();
            assert!(matches!(
                err,
                FileError::NotRegular {
                    what: "a named pipe",
                    ..
                }
            ));
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
