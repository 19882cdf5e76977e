/**
 * Decoding with a record of every step: which token won, and the top candidates with their
 * positive, negative and fused scores (the record's `steps`). Greedy decoding of one stream (the
 * baseline, and the methods without a negative) and VAT decoding of a positive/negative pair run as
 * a batch of two, where the fused choice is appended to both streams (spec step 11).
 *
 * Both sit on the runtime's loops (generateGreedy / generateLockstep), which check the AbortSignal
 * before every decoder call and stop on EOS or after maxNewTokens.
 */
import { cancelledError } from '../../common/contract/errors.ts';
import { topKIndices, vatStep, type FusionOptions } from '../../common/laser/index.ts';
import type { DecoderOutput } from '../runtime/decoder.ts';
import { generateGreedy, generateLockstep, workspaceFor, type StepModel, type StopReason } from '../runtime/generate.ts';
import type { KvWorkspace } from '../runtime/kv-cache.ts';
import type { TextTokenizer } from '../tokenizer/load.ts';

export interface CandidateRecord {
  token: number;
  text: string;
  /** z+ (the only stream's logit for greedy decoding). */
  positive: number;
  /** z-, or null when there is no negative stream. */
  negative: number | null;
  /** The score the token was chosen by: s = (1 + alpha) z+ - alpha z- (APC may make it -Infinity); z+ for greedy. */
  fused: number;
}

export interface StepRecord {
  token: number;
  text: string;
  candidates: CandidateRecord[];
}

export interface DecodeResult {
  ids: number[];
  /** The answer: the new tokens without a final EOS, special tokens skipped, trimmed. */
  text: string;
  steps: StepRecord[];
  stopReason: StopReason;
  /** attn_last of every fed-back token (n - 1 of n tokens), when asked for (vaqSteps = 'answer'). */
  attention: Float32Array[];
}

export interface DecodeOptions {
  tokenizer: TextTokenizer;
  eosIds: readonly number[];
  maxNewTokens: number;
  /** Candidates kept per step. */
  topCandidates: number;
  signal?: AbortSignal;
  /** Tokens chosen so far. */
  onStep?: (step: number, total: number) => void;
  /** Keep attn_last of every decoder step. */
  keepAttention?: boolean;
  /** Decode in this workspace, the one the prefill wrote its cache into (GenerateOptions.workspace). */
  workspace?: KvWorkspace;
}

function tokenText(tokenizer: TextTokenizer, id: number): string {
  return tokenizer.decode([id]);
}

export function answerText(tokenizer: TextTokenizer, ids: readonly number[], eosIds: readonly number[]): string {
  const last = ids.at(-1);
  const body = last !== undefined && eosIds.includes(last) ? ids.slice(0, -1) : ids;
  return tokenizer.decode(body, { skipSpecialTokens: true }).trim();
}

/** The last row of a prefill's logits for stream `b`. */
function lastLogits(out: DecoderOutput, b: number, vocab: number): Float32Array {
  const end = (b + 1) * out.logitRows * vocab;
  return out.logits.subarray(end - vocab, end);
}

function spy(model: StepModel, onOutput: (out: DecoderOutput) => void): StepModel {
  return {
    step: async (tokens, cache, into) => {
      const out = await model.step(tokens, cache, into);
      onOutput(out);
      return out;
    },
  };
}

/** Greedy decoding of a batch-1 prefill. */
export async function decodeGreedy(model: StepModel, prefill: DecoderOutput, vocab: number, o: DecodeOptions): Promise<DecodeResult> {
  const logits: Float32Array[] = [lastLogits(prefill, 0, vocab)];
  const attention: Float32Array[] = [];
  const watched = spy(model, (out) => {
    logits.push(out.logits);
    if (o.keepAttention) attention.push(out.attnLast);
  });
  const r = await generateGreedy(watched, prefill, {
    maxNewTokens: o.maxNewTokens,
    eosTokenIds: o.eosIds,
    signal: o.signal,
    onProgress: (p) => o.onStep?.(p.step, p.total),
  });
  const steps = r.ids.map((token, t) => {
    const row = logits[t];
    if (row === undefined) throw new Error(`decodeGreedy: token ${t} has no logits (${logits.length} rows)`);
    return {
      token,
      text: tokenText(o.tokenizer, token),
      candidates: topKIndices(row, o.topCandidates).map((id) => {
        const z = row[id]!; // id is a top-k index of this row
        return { token: id, text: tokenText(o.tokenizer, id), positive: z, negative: null, fused: z };
      }),
    };
  });
  return { ids: r.ids, text: answerText(o.tokenizer, r.ids, o.eosIds), steps, stopReason: r.stopReason, attention };
}

/** VAT decoding of a batch-2 prefill (row 0 positive, row 1 negative). */
export async function decodeVat(model: StepModel, prefill: DecoderOutput, fusion: FusionOptions, o: DecodeOptions): Promise<DecodeResult> {
  const steps: StepRecord[] = [];
  const r = await generateLockstep(
    model,
    prefill,
    (pos, neg) => {
      const s = vatStep(pos, neg, fusion, o.topCandidates);
      steps.push({
        token: s.token,
        text: tokenText(o.tokenizer, s.token),
        candidates: s.candidates.map((c) => ({ token: c.id, text: tokenText(o.tokenizer, c.id), positive: c.positive, negative: c.negative, fused: c.fused })),
      });
      return s.token;
    },
    { maxNewTokens: o.maxNewTokens, eosTokenIds: o.eosIds, signal: o.signal, onProgress: (p) => o.onStep?.(p.step, p.total), workspace: o.workspace },
  );
  return { ids: r.ids, text: answerText(o.tokenizer, r.ids, o.eosIds), steps, stopReason: r.stopReason, attention: [] };
}

/**
 * Feeds `tokens` one at a time after `start` and returns attn_last after each (teacher forcing, for
 * vaqSteps = 'answer': the attention of the no-query prompt at the baseline answer's positions).
 */
export async function teacherForce(model: StepModel, start: DecoderOutput, tokens: readonly number[], signal?: AbortSignal): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  let cache = start.cache;
  const workspace = workspaceFor(cache, tokens.length);
  for (const t of tokens) {
    if (signal?.aborted) throw cancelledError();
    const next = await model.step([t], cache, workspace);
    out.push(next.attnLast);
    cache = next.cache;
  }
  return out;
}
