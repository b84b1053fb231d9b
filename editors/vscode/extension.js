// The Optimist extension: the language (colouring from the generated
// TextMate grammar) and a client for `optimist lsp`, which does the rest.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("optimist").get("server.path") || "optimist";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "optimist",
    "Optimist",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "optimist" },
        { scheme: "untitled", language: "optimist" },
      ],
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
