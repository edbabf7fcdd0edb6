#!/usr/bin/env node
/**
 * The `tickline` command line. Every verb validates its flags and config up front and exits with
 * code 2 and a message naming each bad field and what is allowed.
 */

import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { FaultPatch } from '@tickline/exchange';
import { LOG_FORMATS, type LogFormatSetting, packageDir, resolveLogFormat, STAGES, type StageName, useLogFormat } from '@tickline/runtime';
import { BENCHES, type BenchFlags, type BenchName, bench, NORMALIZE_BENCH_VENUES, PLACEMENT_NAMES } from './commands/bench.js';
import { type BacktestOptions, backtest } from './commands/backtest.js';
import { backtestCompare } from './commands/backtest-compare.js';
import { CHAOS_SECONDS, chaos } from './commands/chaos.js';
import { FAULTS, type FaultName } from './chaos/index.js';
import { record } from './commands/record.js';
import { type ReplayOptions, replay } from './commands/replay.js';
import { run } from './commands/run.js';
import { sim, simReplay } from './commands/sim.js';
import { isClusterConfig, loadClusterConfig } from './cluster-config.js';
import { replayClusterNode, runClusterNode } from './commands/cluster-node.js';
import { ConfigError, loadConfig, readConfigFile } from './config.js';

const VERSION = (JSON.parse(readFileSync(new URL('package.json', packageDir(import.meta.url)), 'utf8')) as { version: string }).version;

/** A usage error: printed without a stack, exit code 2. */
class UsageError extends Error {}

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got ${JSON.stringify(v)}`);
    return n;
  };
}

function positiveInt(name: string, max = 1_000_000_000) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new UsageError(`${name} must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** A comma-separated list of positive integers (e.g. --rates 60000,120000). */
function intList(name: string, max = 100_000_000) {
  return (v: string): number[] => {
    const parts = v.split(',').map((x) => Number(x.trim() === '' ? Number.NaN : x));
    if (parts.some((n) => !Number.isInteger(n) || n < 1 || n > max))
      throw new UsageError(`${name} must be a comma-separated list of integers from 1 to ${max}, got ${JSON.stringify(v)}`);
    return parts;
  };
}

/** A comma-separated list of names, each one of `allowed`, without repeats. */
function nameList(name: string, allowed: readonly string[]) {
  return (v: string): string[] => {
    const parts = v.split(',').map((x) => x.trim());
    const bad = parts.filter((x) => !allowed.includes(x));
    if (parts.length === 0 || bad.length > 0 || new Set(parts).size !== parts.length)
      throw new UsageError(`${name} must list distinct names among ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return parts;
  };
}

/** A comma-separated flag value as a list (blanks dropped). */
function splitList(v: string): string[] {
  return v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Pipeline flags shared by run and replay, as config overrides. */
function pipelineOverrides(o: Record<string, unknown>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const s of STAGES) if (o[`threads.${s}`] !== undefined) overrides[`threads.${s}`] = o[`threads.${s}`];
  if (o.fuse !== undefined) overrides.fuse = o.fuse;
  if (o.logLevel !== undefined) overrides['log.level'] = o.logLevel;
  if (o.logFormat !== undefined) overrides['log.format'] = o.logFormat;
  return overrides;
}

/** `--log-format`: how log lines look on stderr (`auto`: readable on a terminal, JSON otherwise). */
function logFormatOption(): Option {
  return new Option('--log-format <format>', 'log lines: pretty (readable), json, or auto (pretty on a terminal)').choices(LOG_FORMATS);
}

/** Makes `setting` the log format of this process and of the workers it starts. */
function applyLogFormat(setting: LogFormatSetting): void {
  useLogFormat(resolveLogFormat(setting, process.stderr.isTTY === true));
}

function loadWith(o: Record<string, unknown>, overrides: Record<string, unknown>) {
  const source = typeof o.config === 'string' ? o.config : 'defaults and flags';
  const loaded = loadConfig(typeof o.config === 'string' ? readConfigFile(o.config) : {}, overrides, source);
  applyLogFormat(loaded.config.log.format);
  return loaded;
}

export function buildProgram(): Command {
  const program = new Command('tickline')
    .description('Market data to trading on one box: ingest -> normalize -> book -> signals -> risk -> execution')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    // each command's options follow it (lets `backtest compare` own its --out and --json)
    .enablePositionalOptions()
    // the flag's format from the start (a config file's log.format applies once it is read)
    .hook('preAction', (_program, command) => applyLogFormat((command.opts().logFormat as LogFormatSetting | undefined) ?? 'auto'));

  const runCmd = program
    .command('run')
    .description('start the pipeline (on the embedded exchange unless a venue is configured) and print per-stage counts on exit')
    .option('-c, --config <file>', 'config file (JSON or YAML); see docs/configuration.md')
    .option('--duration <seconds>', 'stop by itself after running this many seconds', positiveNumber('--duration'))
    .addOption(new Option('--summary <format>', 'per-stage counts printed on exit').choices(['json', 'text']).default('text'))
    .option('--fuse <groups...>', 'fuse adjacent stages into one worker, e.g. normalize+book risk+execution')
    .option('--venue <name>', 'venue adapter (default sim: the embedded exchange); live venues: docs/venues.md')
    .option('--venue-url <ws-url>', "venue WebSocket URL (default: the venue's public one; for sim: the embedded exchange)")
    .option('--rest-url <http-url>', "venue REST base URL for the instrument list and snapshots (default: the venue's)")
    .option('--symbols <codes>', 'comma-separated venue symbols to subscribe (required on live venues), e.g. BTCUSDT,ETHUSDT')
    .option(
      '--paper',
      "live venues: trade the venue's live data against the local matching engine; no order is sent to the venue (the default without an API key)",
    )
    .option('--instruments <n>', 'embedded exchange: number of instruments')
    .option('--profile <name>', 'embedded exchange: market profile (steady or open)')
    .option('--http-port <port>', 'dashboard and control API port')
    .option('--node <name>', 'with a cluster config: the node this process runs (docs/cluster.md)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .addOption(logFormatOption());
  for (const s of STAGES) runCmd.option(`--threads.${s} <n>`, `worker threads of the ${s} stage`);
  runCmd.action(async (o: Record<string, unknown>) => {
    const overrides = pipelineOverrides(o);
    if (o.venue !== undefined) overrides['venue.name'] = o.venue;
    if (o.venueUrl !== undefined) overrides['venue.url'] = o.venueUrl;
    if (o.restUrl !== undefined) overrides['venue.restUrl'] = o.restUrl;
    if (typeof o.symbols === 'string') overrides['venue.symbols'] = splitList(o.symbols);
    if (o.instruments !== undefined) overrides['exchange.instruments'] = o.instruments;
    if (o.profile !== undefined) overrides['exchange.profile'] = o.profile;
    if (o.httpPort !== undefined) overrides['http.port'] = o.httpPort;
    const runOpts = {
      ...(o.duration !== undefined ? { durationS: o.duration as number } : {}),
      summary: o.summary as 'json' | 'text',
      ...(o.paper === true ? { paper: true } : {}),
    };
    const raw = typeof o.config === 'string' ? readConfigFile(o.config) : {};
    if (isClusterConfig(raw) || o.node !== undefined) {
      const loaded = loadClusterConfig(
        raw,
        o.node as string | undefined,
        overrides,
        typeof o.config === 'string' ? o.config : 'defaults and flags',
      );
      applyLogFormat(loaded.config.log.format);
      process.exitCode = await runClusterNode(loaded, runOpts);
      return;
    }
    process.exitCode = await run(loadWith(o, overrides), runOpts);
  });

  program
    .command('record')
    .description('write raw venue frames with their receive times to a compressed, append-only, crash-safe file (docs/recording.md)')
    .requiredOption('--out <file>', 'output file')
    .option('-c, --config <file>', 'config file (venue, exchange options)')
    .option('--venue <name>', 'venue adapter (default sim: the embedded exchange)')
    .option('--url <ws-url>', 'venue WebSocket URL (default: the embedded exchange, started in-process)')
    .option('--rest-url <http-url>', 'venue REST base URL')
    .option('--instruments <codes>', 'comma-separated venue codes to record (default: all)')
    .option('--duration <seconds>', 'stop by itself after this many seconds', positiveNumber('--duration'))
    .option('--overwrite', 'replace an existing file')
    .addOption(new Option('--codec <codec>', 'block compression').choices(['brotli', 'deflate', 'gzip', 'none']))
    .option('--level <n>', 'compression level (zlib 0-9, brotli 0-11)', (v) => Number(v))
    .addOption(new Option('--summary <format>', 'what to print on exit').choices(['json', 'text']).default('text'))
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .addOption(logFormatOption())
    .action(async (o: Record<string, unknown>) => {
      const overrides = pipelineOverrides(o);
      if (o.venue !== undefined) overrides['venue.name'] = o.venue;
      if (o.url !== undefined) overrides['venue.url'] = o.url;
      if (o.restUrl !== undefined) overrides['venue.restUrl'] = o.restUrl;
      process.exitCode = await record(loadWith(o, overrides), {
        out: o.out as string,
        ...(typeof o.instruments === 'string' ? { instruments: splitList(o.instruments) } : {}),
        ...(o.duration !== undefined ? { durationS: o.duration as number } : {}),
        ...(o.overwrite === true ? { overwrite: true } : {}),
        ...(o.codec !== undefined ? { codec: o.codec as 'brotli' } : {}),
        ...(o.level !== undefined ? { level: o.level as number } : {}),
        summary: o.summary as 'json' | 'text',
      });
    });

  const replayCmd = program
    .command('replay')
    .description("feed a recording or a real capture through the pipeline, or --verify it against the venue's own truth")
    .argument('<file>', 'a tickline recording, a .cap capture (with its .rest beside it), or a collector .gz file')
    .option('-c, --config <file>', 'config file')
    .option('--venue <name>', 'venue of the file (required for captures and collector files)')
    .option('--speed <speed>', '1 = recorded pace, 10 = ten times faster, max = as fast as the pipeline goes', '1')
    .addOption(new Option('--format <format>', 'file format').choices(['auto', 'tickline', 'capture', 'collector']))
    .option('--verify', 'check checksums, sequence continuity and top of book instead of running the pipeline')
    .option('--json', 'print one JSON object')
    .option('--instrument-list <file>', 'venue instrument list (JSON or .rest) for instrument precision')
    .option('--fuse <groups...>', 'fuse adjacent stages into one worker')
    .option('--node <name>', "with a cluster config: the node this process runs; the file is every node's market (docs/cluster.md)")
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .addOption(logFormatOption());
  for (const s of STAGES) replayCmd.option(`--threads.${s} <n>`, `worker threads of the ${s} stage`);
  replayCmd.action(async (file: string, o: Record<string, unknown>) => {
    const speedText = String(o.speed);
    const speed = speedText === 'max' ? 'max' : Number(speedText);
    if (speed !== 'max' && !(Number.isFinite(speed) && speed > 0))
      throw new UsageError(`--speed must be a positive number or max, got ${JSON.stringify(speedText)}`);
    const replayOpts: ReplayOptions = {
      file,
      speed,
      ...(o.venue !== undefined ? { venue: o.venue as string } : {}),
      ...(o.format !== undefined ? { format: o.format as 'auto' } : {}),
      ...(o.verify === true ? { verify: true } : {}),
      ...(o.json === true ? { json: true } : {}),
      ...(o.instrumentList !== undefined ? { instrumentList: o.instrumentList as string } : {}),
    };
    const raw = typeof o.config === 'string' ? readConfigFile(o.config) : {};
    if (o.verify === true && (o.node !== undefined || isClusterConfig(raw)))
      throw new UsageError('--verify checks the file in this process: it takes no --node and no cluster config');
    if (isClusterConfig(raw) || o.node !== undefined) {
      const source = typeof o.config === 'string' ? o.config : 'defaults and flags';
      const loaded = loadClusterConfig(raw, o.node as string | undefined, pipelineOverrides(o), source, { replay: true });
      applyLogFormat(loaded.config.log.format);
      process.exitCode = await replayClusterNode(loaded, replayOpts);
      return;
    }
    process.exitCode = await replay(loadWith(o, pipelineOverrides(o)), replayOpts);
  });

  const backtestCmd = program
    .command('backtest')
    .description(
      'replay a recording (any venue, any format replay reads) through the pipeline against a local matching engine with queue positions and latencies; writes report.json and report.html',
    )
    .argument('<file>', 'a tickline recording, .cap capture or hftbacktest collector file')
    // required, checked by the verb (a commander-required option would be required of `backtest compare` too)
    .option('--strategy <s>', 'required: imbalance, spread-reversion, tick-trend, random, or a module path')
    .option('--params <json>', 'strategy parameters as a JSON object')
    .option('--instruments <codes>', 'comma-separated instruments the strategy trades (default: all in the file)')
    .option('--out <dir>', 'report directory (default ./backtest-<timestamp>/)')
    .option('-c, --config <file>', 'config file (risk, execution, exchange fees)')
    .option('--venue <name>', 'venue of the file')
    .addOption(new Option('--format <format>', 'file format').choices(['auto', 'tickline', 'capture', 'collector']))
    .option('--instrument-list <file>', 'venue instrument list (JSON or .rest)')
    .option('--step-ms <ms>', 'recorded time the market advances per lockstep step (default 10)')
    .option('--sample-ms <ms>', 'equity sampling interval in recorded time')
    .addOption(
      new Option(
        '--engine <engine>',
        'event-time (default: one thread, local venue) or lockstep (configured placement, embedded exchange; sim only)',
      ).choices(['event-time', 'lockstep']),
    )
    .option(
      '--queue-model <model>',
      'queue-position model: risk-averse (default), prob-power, prob-power2, prob-power3, prob-log, prob-log2',
    )
    .option('--feed-latency <ms|file:PATH>', 'market data latency, venue to strategy (event-time)')
    .option('--entry-latency <ms|file:PATH>', 'order entry latency, strategy to venue (event-time)')
    .option('--response-latency <ms|file:PATH>', 'answer latency, venue to strategy (event-time)')
    .option('--seed <n>', 'seed of latency draws and probabilistic queue models (default 1)')
    .addOption(
      new Option('--venue-books <which>', 'books the local venue keeps: traded (default) or all (same results, slower)').choices([
        'traded',
        'all',
      ]),
    )
    .option('--latency-ms <ms>', 'order entry latency (both engines)')
    .option('--maker-fee-bps <bps>', 'maker fee')
    .option('--taker-fee-bps <bps>', 'taker fee')
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'log', 'none']))
    .option('--json', 'print the report JSON instead of the text summary')
    .option('--fuse <groups...>', 'fuse adjacent stages into one worker')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .addOption(logFormatOption());
  for (const s of STAGES) backtestCmd.option(`--threads.${s} <n>`, `worker threads of the ${s} stage`);
  // `backtest compare A B`: backtest's own options stop at the subcommand, so --out/--json are compare's
  backtestCmd.enablePositionalOptions();
  backtestCmd
    .command('compare')
    .description('compare two backtest reports: the differences as a table, compare.json and compare.html (both equity curves)')
    .argument('<a>', 'report A: a report.json or the directory holding it')
    .argument('<b>', 'report B: a report.json or the directory holding it')
    .option('--out <dir>', 'output directory (default ./backtest-compare-<timestamp>/)')
    .option('--json', 'print the comparison JSON instead of the table')
    .action(async (a: string, b: string, o: { out?: string; json?: boolean }) => {
      process.exitCode = await backtestCompare({ a, b, ...(o.out !== undefined ? { out: o.out } : {}), json: o.json === true });
    });
  backtestCmd.action(async (file: string, o: Record<string, unknown>) => {
    const opts: Record<string, unknown> = { file };
    for (const k of [
      'strategy',
      'params',
      'instruments',
      'out',
      'venue',
      'format',
      'instrumentList',
      'stepMs',
      'sampleMs',
      'latencyMs',
      'engine',
      'queueModel',
      'feedLatency',
      'entryLatency',
      'responseLatency',
      'seed',
      'venueBooks',
      'makerFeeBps',
      'takerFeeBps',
      'progress',
      'json',
    ]) {
      if (o[k] !== undefined) opts[k] = o[k];
    }
    process.exitCode = await backtest(loadWith(o, pipelineOverrides(o)), opts as unknown as BacktestOptions);
  });

  program
    .command('bench')
    .description(`measure one part against its peer, side by side: ${BENCHES.join(', ')}`)
    .argument('<name>', `one of ${BENCHES.join(', ')}`)
    .argument('[stage]', `bench stage: the stage to measure alone, one of ${STAGES.join(', ')}`)
    .option('--json', 'print the report as one JSON object')
    .option('--runs <n>', 'repetitions (median, min and max are reported; overload: 1)', positiveInt('--runs', 1000))
    .option('--quick', 'short runs (smoke test; figures are not representative)')
    .option(
      '--venue <name>',
      `normalize: venue dialect (bench normalize: ${NORMALIZE_BENCH_VENUES.join(', ')}; bench stage normalize: a venue with a capture)`,
    )
    .option('--rate <eventsPerSec>', 'pipeline, overload, cluster: market-data events per second offered', positiveInt('--rate'))
    .option('--rates <list>', 'pipeline: offered rates, comma-separated (a capacity curve per placement)', intList('--rates'))
    .option(
      '--placements <list>',
      `pipeline, overload: placements to run, among ${PLACEMENT_NAMES.join(', ')}`,
      nameList('--placements', PLACEMENT_NAMES),
    )
    .option('--seconds <n>', 'pipeline, cluster: seconds per measured window; overload: seconds measured', positiveInt('--seconds', 86_400))
    .option('--instruments <n>', 'pipeline, overload, cluster: instruments', positiveInt('--instruments'))
    .action(async (name: string, stage: string | undefined, o: BenchFlags) => {
      if (!(BENCHES as readonly string[]).includes(name))
        throw new UsageError(`bench name must be one of ${BENCHES.join(', ')}, got ${JSON.stringify(name)}`);
      if (name === 'stage') {
        if (stage === undefined || !(STAGES as readonly string[]).includes(stage))
          throw new UsageError(
            `bench stage needs a stage name, one of ${STAGES.join(', ')}${stage === undefined ? '' : `, got ${JSON.stringify(stage)}`}`,
          );
        if (o.rate !== undefined || o.rates !== undefined || o.instruments !== undefined || o.placements !== undefined)
          throw new UsageError(
            '--rate, --rates, --placements and --instruments apply to bench pipeline and overload only; bench stage sizes its inputs itself (see docs/benchmarks.md)',
          );
        if (o.venue !== undefined && stage !== 'normalize')
          throw new UsageError(`--venue applies to bench stage normalize only, got bench stage ${stage}`);
        const { STAGE_VENUES } = await import('./bench/stage/inputs/captures.js');
        if (o.venue !== undefined && !(STAGE_VENUES as readonly string[]).includes(o.venue))
          throw new UsageError(
            `--venue must be one of ${STAGE_VENUES.join(', ')} for bench stage normalize, got ${JSON.stringify(o.venue)}`,
          );
      } else if (stage !== undefined) {
        throw new UsageError(`bench ${name} takes no second argument, got ${JSON.stringify(stage)}`);
      } else if (o.venue !== undefined && (name !== 'normalize' || !(NORMALIZE_BENCH_VENUES as readonly string[]).includes(o.venue))) {
        throw new UsageError(
          name === 'normalize'
            ? `--venue must be one of ${NORMALIZE_BENCH_VENUES.join(', ')} for bench normalize, got ${JSON.stringify(o.venue)}`
            : `--venue applies to bench normalize and bench stage normalize only, got bench ${name}`,
        );
      }
      if (o.rate !== undefined && o.rates !== undefined) throw new UsageError('give --rate or --rates, not both');
      // overload is one long run per placement (its samples are the measurements); the others
      // report medians over at least five runs
      if (name !== 'overload' && (o.runs ?? 5) < 5 && o.quick !== true)
        throw new UsageError('--runs must be at least 5 (medians over fewer runs are not reported); use --quick for a smoke run');
      await bench(name as BenchName, { ...o, ...(stage !== undefined ? { stage: stage as StageName } : {}) });
    });

  program
    .command('chaos')
    .description(
      `inject each fault (${FAULTS.join(', ')}) into the real pipeline while it trades, and report one result per fault (docs/reliability.md)`,
    )
    .option(
      '--seconds <n>',
      `trading window of the time-based faults; counts scale with it, ${CHAOS_SECONDS.default} = the full matrix`,
      positiveInt('--seconds', CHAOS_SECONDS.max),
      CHAOS_SECONDS.default,
    )
    .option('--only <names>', `faults to run, comma-separated, among ${FAULTS.join(', ')}`, nameList('--only', FAULTS))
    .option('--fuse <groups...>', 'fuse adjacent stages into one worker, e.g. normalize+book risk+execution')
    .option('--json', 'print {"results":[...]} as one JSON object')
    .action(async (o: { seconds: number; only?: FaultName[]; fuse?: string[]; json?: boolean }) => {
      if (o.fuse !== undefined) loadConfig({}, { fuse: o.fuse }, '--fuse');
      process.exitCode = await chaos({
        seconds: o.seconds,
        ...(o.only !== undefined ? { only: o.only } : {}),
        ...(o.fuse !== undefined ? { fuse: o.fuse } : {}),
        json: o.json === true,
      });
    });

  program
    .command('sim')
    .description(
      "run the embedded exchange on its own (docs/exchange-protocol.md), or with --replay FILE --venue V a venue emulator serving the file in that venue's protocol (docs/emulator.md)",
    )
    .option('--port <port>', 'TCP port (0 picks a free one)', '0')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--instruments <n>', 'number of instruments')
    .option('--profile <name>', 'steady or open (opening-bell burst)')
    .option('--rate <eventsPerSec>', 'market-data events per second across the universe')
    .option('--seed <n>', 'seed of the universe and the market process')
    .option('--replay <file>', 'serve a recording or a real capture (.cap/.rest, collector .gz, tickline recording) as venue --venue')
    .option('--venue <name>', 'with --replay: the venue whose protocol to speak')
    .option('--speed <speed>', 'with --replay: 1 = recorded pace, 10 = ten times faster, max = as fast as clients take it', '1')
    .addOption(new Option('--format <format>', 'with --replay: file format').choices(['auto', 'tickline', 'capture', 'collector']))
    .option('--instrument-list <file>', 'with --replay: venue instrument list (JSON or .rest) for instrument precision')
    .option('--faults <json>', 'with --replay: faults to inject from the start (as POST /v1/control/faults)')
    .addOption(
      new Option('--start <when>', 'with --replay: play the file from the first subscription or at once').choices(['subscribe', 'listen']),
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .addOption(logFormatOption())
    .action(async (o: Record<string, string | undefined>) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(o.port)}`);
      if (o.replay !== undefined) {
        if (o.venue === undefined) throw new UsageError('--replay needs --venue (the venue whose protocol the emulator speaks)');
        const speedText = String(o.speed);
        const speed = speedText === 'max' ? 'max' : Number(speedText);
        if (speed !== 'max' && !(Number.isFinite(speed) && speed > 0))
          throw new UsageError(`--speed must be a positive number or max, got ${JSON.stringify(speedText)}`);
        let faults: unknown;
        if (o.faults !== undefined) {
          try {
            faults = JSON.parse(o.faults);
          } catch {
            throw new UsageError('--faults must be a JSON object (see docs/exchange-protocol.md, Fault injection)');
          }
        }
        process.exitCode = await simReplay({
          file: o.replay,
          venue: o.venue,
          speed,
          port,
          host: o.host ?? '127.0.0.1',
          ...(o.format !== undefined ? { format: o.format as 'auto' } : {}),
          ...(o.instrumentList !== undefined ? { instrumentList: o.instrumentList } : {}),
          ...(faults !== undefined ? { faults: faults as FaultPatch } : {}),
          ...(o.start !== undefined ? { start: o.start as 'subscribe' } : {}),
          ...(o.logLevel !== undefined ? { logLevel: o.logLevel as 'info' } : {}),
        });
        return;
      }
      const raw: Record<string, unknown> = { host: o.host, port };
      if (o.instruments !== undefined) raw.instruments = Number(o.instruments);
      if (o.profile !== undefined) raw.profile = o.profile;
      if (o.rate !== undefined) raw.eventsPerSecond = Number(o.rate);
      if (o.seed !== undefined) raw.seed = Number(o.seed);
      loadConfig({ exchange: raw }, {}, 'flags');
      process.exitCode = await sim(raw);
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`tickline: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`tickline: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli/src/main.ts')) {
  const code = await main(process.argv);
  process.exitCode = code;
}
