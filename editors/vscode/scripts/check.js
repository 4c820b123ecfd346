#!/usr/bin/env node
// `npm run check`: the extension's JSON files parse, the paths package.json names exist, every
// regex of the TextMate grammar compiles with Oniguruma (the engine VS Code uses), and every
// `include` of the grammar resolves. Exits 1 with the problems listed.
'use strict';

const fs = require('fs');
const path = require('path');
const onig = require('vscode-oniguruma');

const root = path.join(__dirname, '..');
const problems = [];

function loadJson(rel) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, rel), 'utf8'));
  } catch (err) {
    problems.push(`${rel}: ${err.message}`);
    return undefined;
  }
}

async function main() {
  const pkg = loadJson('package.json');
  const langConfig = loadJson('language-configuration.json');
  const grammar = loadJson('syntaxes/tier.tmLanguage.json');

  if (pkg) {
    const paths = [pkg.main, ...pkg.contributes.languages.map((l) => l.configuration),
      ...pkg.contributes.grammars.map((g) => g.path)];
    for (const p of paths) {
      if (!fs.existsSync(path.join(root, p))) problems.push(`package.json names ${p}, which does not exist`);
    }
    const scope = pkg.contributes.grammars[0].scopeName;
    if (grammar && grammar.scopeName !== scope) {
      problems.push(`package.json's scopeName ${scope} is not the grammar's ${grammar.scopeName}`);
    }
  }

  if (langConfig) {
    // VS Code compiles these as JavaScript regexes.
    const rx = [['wordPattern', langConfig.wordPattern]];
    for (const [k, v] of Object.entries(langConfig.indentationRules || {})) rx.push([k, v]);
    for (const [name, source] of rx) {
      try {
        new RegExp(source);
      } catch (err) {
        problems.push(`language-configuration.json ${name}: ${err.message}`);
      }
    }
  }

  if (grammar) {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
    await onig.loadWASM(wasm);
    let count = 0;
    const compile = (where, source) => {
      count++;
      try {
        const scanner = new onig.OnigScanner([source]);
        scanner.dispose();
      } catch (err) {
        problems.push(`${where}: ${err.message}: ${source}`);
      }
    };
    const repository = grammar.repository || {};
    const walk = (rule, where) => {
      if (!rule || typeof rule !== 'object') return;
      for (const key of ['match', 'begin', 'end', 'while']) {
        if (typeof rule[key] === 'string') compile(`${where}.${key}`, rule[key]);
      }
      if (typeof rule.include === 'string' && rule.include.startsWith('#')) {
        if (!(rule.include.slice(1) in repository)) problems.push(`${where}: unknown include ${rule.include}`);
      }
      (rule.patterns || []).forEach((p, i) => walk(p, `${where}.patterns[${i}]`));
      for (const caps of ['captures', 'beginCaptures', 'endCaptures']) {
        for (const [k, c] of Object.entries(rule[caps] || {})) walk(c, `${where}.${caps}[${k}]`);
      }
    };
    walk(grammar, 'grammar');
    for (const [name, rule] of Object.entries(repository)) walk(rule, `repository.${name}`);
    if (count === 0) problems.push('the grammar has no regexes');
    if (problems.length === 0) console.log(`check: JSON files parse, ${count} grammar regexes compile`);
  }

  if (problems.length) {
    for (const p of problems) console.error(`check: ${p}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
