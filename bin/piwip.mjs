#!/usr/bin/env node
// The `piwip` command: runs the TypeScript CLI through tsx, so no separate JS build is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../host/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
