#!/usr/bin/env node
/** Same as `xinbox start` (kept as an entry point for scripts that run cli.js / cli.ts directly). */
import { runStart } from './cli/start-command.js';

void runStart();
