#!/usr/bin/env node
import { loadBundle } from './bundle-loader.js';

process.exitCode = await loadBundle().exports.main(process.argv.slice(2));
// The run is over and its recap written; a Ctrl-C or TERM while connections close must not turn its
// exit status into a death by signal.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
