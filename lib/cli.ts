#!/usr/bin/env node
/**
 * `sam2-web serve`: the runner's container as a Node process.
 *
 *   npx sam2-web serve [--port 8000] [--host 127.0.0.1] [--model ID] [--token T] [--cache-bytes N]
 *                      [--max-queue N] [--max-body-bytes N] [--decoder-precision fp32|int8]
 */
import { parseArgs } from 'node:util';
import { startGatewayServer } from './gateway/server.js';
import { createSegmenter } from './node.js';
import type { DecoderPrecision } from './options.js';

const USAGE = `Usage: sam2-web serve [options]

Serves POST /segment-anything-2 and GET /health as Livepeer's runner does.

  --port N             port (default 8000; 0 picks a free one)
  --host H             address to listen on (default 127.0.0.1)
  --model ID           a registry id, e.g. facebook/sam2-hiera-tiny (default: the embedded model)
  --token T            require "Authorization: Bearer T" (the runner's AUTH_TOKEN; default: env AUTH_TOKEN)
  --cache-bytes N      embedding cache budget in bytes (default 256 MiB)
  --max-queue N        requests admitted at once; more get 503 (default 64)
  --max-body-bytes N   largest request body; more get 413 (default 64 MiB)
  --decoder-precision P  fp32 (default: the gateway's numbers) or int8 (faster prompts on WASM,
                       masks within IoU 0.99 of fp32 for confident masks; see the README)
`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      model: { type: 'string' },
      token: { type: 'string' },
      'cache-bytes': { type: 'string' },
      'max-queue': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'decoder-precision': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'serve') {
    process.stdout.write(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const segmenter = await createSegmenter({
    ...(values.model !== undefined ? { model: values.model } : {}),
    cacheBytes: positiveInt('cache-bytes', values['cache-bytes']),
    ...(values['decoder-precision'] !== undefined ? { decoderPrecision: values['decoder-precision'] as DecoderPrecision } : {}),
  });
  const token = values.token ?? process.env.AUTH_TOKEN;
  const server = await startGatewayServer(segmenter, {
    port: positiveInt('port', values.port) ?? 8000,
    host: values.host ?? '127.0.0.1',
    token: token || undefined,
    maxQueue: positiveInt('max-queue', values['max-queue']),
    maxBodyBytes: positiveInt('max-body-bytes', values['max-body-bytes']),
  });
  const { device, threads, fallbackReason, decoderPrecision } = segmenter.backend;
  console.log(
    `sam2-web serving ${segmenter.modelId} on ${server.url} (${device}, ${threads} thread${threads === 1 ? '' : 's'}${decoderPrecision === 'int8' ? ', int8 decoder' : ''}${fallbackReason ? `; ${fallbackReason}` : ''})${token ? ', bearer token required' : ''}`,
  );
  const stop = (signal: string) => {
    console.log(`${signal}: finishing ${server.pending} request(s) in flight, refusing new ones`);
    void server.close().then(() => {
      console.log('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
