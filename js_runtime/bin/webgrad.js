#!/usr/bin/env node
// The `webgrad` command (see src/cli/main.js, or run `webgrad --help`).
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
