#!/usr/bin/env node
/******/ (() => { // webpackBootstrap
/******/ 	"use strict";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"0.1.0"};
;// CONCATENATED MODULE: ./src/cli.ts

const USAGE = `Usage: stream-deploy <command>

Ship streaming APIs (SSE, WebSocket, gRPC) to Google Cloud Run.

Options:
  -h, --help     Show this help and exit
  -v, --version  Print the version and exit

No commands are available yet in this version: the deploy pipeline is not implemented.
`;
// Exit codes follow the usual CLI convention: 0 success, 2 usage error.
function runCli(args) {
    const [first] = args;
    if (first === '--help' || first === '-h' || first === 'help') {
        process.stdout.write(USAGE);
        return 0;
    }
    if (first === '--version' || first === '-v') {
        process.stdout.write(`${package_namespaceObject.rE}\n`);
        return 0;
    }
    if (first === undefined) {
        process.stderr.write(`stream-deploy: missing command\n\n${USAGE}`);
        return 2;
    }
    const kind = first.startsWith('-') ? 'option' : 'command';
    process.stderr.write(`stream-deploy: unknown ${kind} "${first}"; run \`stream-deploy --help\` for usage\n`);
    return 2;
}
process.exitCode = runCli(process.argv.slice(2));

module.exports = __webpack_exports__;
/******/ })()
;