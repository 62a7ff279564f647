#!/usr/bin/env node
import { loadBundle } from './bundle-loader.js';

process.exitCode = await loadBundle().exports.main(process.argv.slice(2));
