#!/usr/bin/env node
/** Same as `xinbox cluster` (kept as an entry point for scripts that run cluster-cli directly). */
import { runCluster } from './cli/cluster-command.js';

void runCluster(process.argv.slice(2));
