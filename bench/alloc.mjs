#!/usr/bin/env node
// Bytes allocated per call: a row's firebreak contender built from a git revision (A) and from
// the working tree (B), each measured in the same process (see sections/alloc-target.mjs).
// Usage: node bench/alloc.mjs REV ROW[,ROW]   e.g. node bench/alloc.mjs HEAD pipeline
import { runOnBothBuilds } from './lib/ab-builds.mjs';

const [rev, rows] = process.argv.slice(2);
if (!rev || !rows) throw new Error('usage: node bench/alloc.mjs REV ROW[,ROW]');
// A young generation of 64 MB: most batches of calls then run without a collection.
await runOnBothBuilds({ rev, rows, section: 'alloc-target.mjs', nodeArgs: ['--max-semi-space-size=64'] });
