// The tier extension's client: starts `tier lsp` (stdio) for `tier` documents and restarts it
// on `tier.restartServer` or when the `tier.server.*` settings change.
'use strict';

const vscode = require('vscode');
const fs = require('fs');
const path = require('path');
const { LanguageClient, State } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let output;

/** Where `command` would run from: itself if it has a directory part, else the first hit on PATH. */
function resolveExecutable(command) {
  const exists = (p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/') || command.includes('\\')) {
    return exists(command) ? command : undefined;
  }
  const exts =
    process.platform === 'win32'
      ? ['', ...(process.env.PATHEXT || '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase())]
      : [''];
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, command + ext);
      if (exists(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The configured server path, with `~` and `${workspaceFolder}` expanded. */
function configuredPath() {
  const config = vscode.workspace.getConfiguration('tier');
  let p = (config.get('server.path') || 'tier').trim() || 'tier';
  if (p === '~' || p.startsWith('~/')) {
    p = path.join(require('os').homedir(), p.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (folder) {
    p = p.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath);
  }
  return p;
}

async function startClient() {
  const config = vscode.workspace.getConfiguration('tier');
  const setting = configuredPath();
  const command = resolveExecutable(setting);
  if (!command) {
    const open = 'Open Settings';
    const choice = await vscode.window.showErrorMessage(
      `tier: the language server was not found: \`${setting}\` ` +
        (setting.includes('/') || setting.includes('\\')
          ? 'does not exist.'
          : 'is not on PATH.') +
        ' Install tier (`cargo install --path .` in the tier repository) or set `tier.server.path` ' +
        'to the tier executable, then run "tier: Restart the tier language server".',
      open
    );
    if (choice === open) {
      vscode.commands.executeCommand('workbench.action.openSettings', 'tier.server.path');
    }
    return;
  }
  const extraArgs = config.get('server.extraArgs') || [];
  const serverOptions = {
    command,
    args: ['lsp', ...extraArgs],
    options: { env: process.env },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'tier' },
      { scheme: 'untitled', language: 'tier' },
    ],
    outputChannel: output,
    traceOutputChannel: output,
  };
  client = new LanguageClient('tier', 'tier language server', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    const message = err && err.message ? err.message : String(err);
    vscode.window.showErrorMessage(
      `tier: could not start \`${command} lsp\`: ${message}. Is it a tier with the \`lsp\` subcommand?`
    );
    output.appendLine(`could not start ${command} lsp: ${message}`);
  }
}

async function stopClient() {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) {
    try {
      await c.stop();
    } catch {
      // a server that already died cannot be stopped; nothing to do
    }
  }
}

async function restartClient() {
  await stopClient();
  await startClient();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  output = vscode.window.createOutputChannel('tier');
  context.subscriptions.push(output);
  context.subscriptions.push(vscode.commands.registerCommand('tier.restartServer', restartClient));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('tier.server')) {
        restartClient();
      }
    })
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
