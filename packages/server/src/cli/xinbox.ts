#!/usr/bin/env node
/**
 * The `xinbox` command (bin of @xinbox/server; compiled to dist/cli/xinbox.js):
 *
 *   xinbox start                       run a node (npm start)
 *   xinbox cluster [--gateways N] ...  a local cluster (npm run cluster)
 *   xinbox user create <username> [--password <pw>]
 *   xinbox user ban <username> [--minutes N] [--reason TEXT]   (asks the running server)
 *   xinbox user unban <username>
 *   xinbox user reset-password <username> [--password <pw>]   (every user command takes --app <id>)
 *   xinbox app create|list|rotate-secret|retire-secret ...     (asks the running server)
 *   xinbox config                      effective, validated settings as JSON (secrets redacted)
 *
 * Settings come from XINBOX_* variables and XINBOX_CONFIG (see the README).
 */
import { APP_USAGE, runApp } from './app-command.js';
import { runCluster } from './cluster-command.js';
import { runConfig } from './config-command.js';
import { runStart } from './start-command.js';
import { runUser, USER_USAGE } from './user-command.js';

const USAGE = `usage: xinbox <command>
  start                                         run a node with the roles in XINBOX_ROLES
  cluster [--gateways N] [--logic N] [--base-port P]   a local cluster of separate processes
  ${USER_USAGE.replace('usage: xinbox ', '').replace(/\n\s+xinbox /g, '\n  ')}
  ${APP_USAGE.replace('usage: xinbox ', '').replace(/\n\s+xinbox /g, '\n  ')}
  config                                        print the effective settings as JSON (secrets redacted)
settings: XINBOX_* environment variables or a JSON file named by XINBOX_CONFIG (README, "Configuration")`;

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'start':
    await runStart();
    break;
  case 'cluster':
    await runCluster(args);
    break;
  case 'user':
    await runUser(args);
    break;
  case 'app':
    await runApp(args);
    break;
  case 'config':
    runConfig();
    break;
  case undefined:
  case 'help':
  case '--help':
  case '-h':
    console.log(USAGE);
    break;
  default:
    console.error(`xinbox: unknown command ${JSON.stringify(command)}\n${USAGE}`);
    process.exit(64);
}
