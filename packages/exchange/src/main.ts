/**
 * Runs the embedded exchange from the command line (for development; the product CLI is
 * `tickline sim`):
 *   node --import tsx packages/exchange/src/main.ts --port 8080 --instruments 5500 --profile open
 * Flags map to ExchangeOptions keys (kebab-case or camelCase); numbers and booleans are parsed.
 */
import { startExchange, validateExchangeOptions } from './index.js';

function parseArgs(argv: readonly string[]): { raw: Record<string, unknown>; errors: string[] } {
  const raw: Record<string, unknown> = {};
  const errors: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      errors.push(`unexpected argument ${JSON.stringify(arg)}`);
      continue;
    }
    const [flag, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const key = flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    const text = inline ?? argv[++i];
    if (text === undefined) {
      errors.push(`--${flag} needs a value`);
      continue;
    }
    if (key === 'faults') {
      try {
        raw[key] = JSON.parse(text);
      } catch {
        errors.push('--faults must be JSON');
      }
    } else if (/^-?\d+(\.\d+)?$/.test(text)) raw[key] = Number(text);
    else if (text === 'true' || text === 'false') raw[key] = text === 'true';
    else raw[key] = text;
  }
  return { raw, errors };
}

const { raw, errors } = parseArgs(process.argv.slice(2));
const v = validateExchangeOptions(raw);
if (errors.length > 0 || !v.ok) {
  for (const e of [...errors, ...(v.ok ? [] : v.errors)]) process.stderr.write(`error: ${e}\n`);
  process.exit(2);
}
const ex = await startExchange(v.value);
process.stdout.write(`${JSON.stringify({ httpUrl: ex.httpUrl, wsUrl: ex.wsUrl, instruments: ex.instruments.length })}\n`);
const stop = (): void => {
  ex.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
