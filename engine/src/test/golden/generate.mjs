// Golden data from llama.cpp for gale.engine.inference.LlamaCppGoldenTest: runs llama.cpp (through node-llama-cpp
// 3.21.1 and its prebuilt CPU binary; llama.cpp's release and system info are recorded in the JSON) on the
// synthetic Llama GGUFs that Gale's SyntheticLlama writes, and records for each: the prompt's token ids, 16 greedy
// tokens, and at each of those 16 decisions the log-probabilities relative to the best token (= logit − max logit;
// node-llama-cpp exposes softmax probabilities, not logits): all of them after the prompt, the top 32 after each
// generated token. Gale is not used here except to write the GGUF files (their SHA-256 goes into the JSON so the
// test can check that Gale's writer still produces the very same bytes).
//
// Exact commands (run once; the output is committed as engine/src/test/resources/gale/engine/llamacpp/golden.json):
//   mkdir -p /work/scratch-llama && cd /work/scratch-llama && npm init -y
//   npm install --ignore-scripts --omit=optional node-llama-cpp@3.21.1 @node-llama-cpp/linux-x64@3.21.1
//   cd <repo> && ./mvnw -q -o -pl engine test -Dtest=LlamaCppGoldenTest#writeModels \
//       -Dgale.golden.out=/work/scratch-llama/models -Dsurefire.failIfNoSpecifiedTests=false
//   SCRATCH=/work/scratch-llama node engine/src/test/golden/generate.mjs /work/scratch-llama/models \
//       engine/src/test/resources/gale/engine/llamacpp/golden.json
// The bundled demo model (DemoModelTest; rerun whenever models/gale-kjv.gguf changes): a .gguf file instead of the
// models folder records that one file, prompt "And God said", 32 greedy tokens, the top 32 at every decision:
//   SCRATCH=/work/scratch-llama node engine/src/test/golden/generate.mjs models/gale-kjv.gguf \
//       engine/src/test/resources/gale/engine/llamacpp/demo-model.json
//
// llama.cpp settings: CPU only, 1 thread (its multi-thread decode misbehaves on 2-core machines), F32 K and V cache
// (the default is F16), flash attention off, batch 512 (the whole prompt in one batch), greedy sampling (temperature 0,
// no repetition penalty), BOS prepended when the model's tokenizer.ggml.add_bos_token says so.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const SCRATCH = process.env.SCRATCH ?? '/work/scratch-llama';
const [MODELS, OUT] = process.argv.slice(2);
if (!MODELS || !OUT) throw new Error('usage: node generate.mjs <models dir> <output json>');
const req = createRequire(path.join(SCRATCH, 'package.json'));

// The order and names of LlamaCppModels.all() in the Java test sources.
const SINGLE = MODELS.endsWith('.gguf');
const NAMES = SINGLE ? [path.basename(MODELS, '.gguf')] : ['f32-gqa', 'f16-gqa', 'bf16-gqa', 'q8_0-gqa', 'q4_0-gqa', 'q4_k-gqa', 'q6_k-gqa',
  'f32-tied-mha-ropefreqs', 'f32-gqa-ropefreqs', 'q8_0-tied', 'q4_k-tied-mha'];
const PROMPT = SINGLE ? 'And God said' : 'the quick brown fox jumps over the lazy dog. Hi!';
// All probabilities after the prompt only for the synthetic models' 320-token vocabularies (a trained model's tail
// probabilities underflow in llama.cpp's float softmax).
const STEPS = SINGLE ? 32 : 16, TOP = 32, FIRST = SINGLE ? TOP : Infinity;

const { getLlama } = await import(pathToFileURL(req.resolve('node-llama-cpp')).href);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error', maxThreads: 1 });
const pkg = JSON.parse(fs.readFileSync(path.join(SCRATCH, 'node_modules/node-llama-cpp/package.json'), 'utf8'));
let release = null;
try {
  release = JSON.parse(fs.readFileSync(path.join(SCRATCH, 'node_modules/node-llama-cpp/llama/binariesGithubRelease.json'), 'utf8')).release;
} catch { /* older layouts */ }

const round = (x) => Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : Math.sign(x) * 1e30;

// One decision: the probabilities map (sorted, best first) → logit − max for all or the top `k`, and the top-2 margin.
function decision(probs, k) {
  const entries = [...probs.entries()];
  const best = entries[0][1];
  const out = {};
  for (const [id, p] of entries.slice(0, k)) out[id] = round(Math.log(p) - Math.log(best));
  return { token: entries[0][0], top2_margin: round(Math.log(best) - Math.log(entries[1][1])), logit_minus_max: out };
}

const models = [];
for (const name of NAMES) {
  const file = SINGLE ? MODELS : path.join(MODELS, name + '.gguf');
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
  const context = await model.createContext({
    contextSize: 64, batchSize: 512, threads: 1, flashAttention: false,
    experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32',
  });
  const seq = context.getSequence();
  const promptIds = Array.from(model.tokenize(PROMPT, false));
  if (model.tokens.bos != null && model.fileInfo.metadata.tokenizer.ggml.add_bos_token !== false) promptIds.unshift(model.tokens.bos);
  const greedy = { token: true, probabilities: true, options: { temperature: 0 } };
  const positions = [];
  const ids = [];
  let input = promptIds.map((t, i) => i === promptIds.length - 1 ? [t, { generateNext: greedy }] : t);
  for (let step = 0; step < STEPS; step++) {
    const res = await seq.controlledEvaluate(input);
    const next = res[res.length - 1].next;
    const d = decision(next.probabilities, step === 0 ? FIRST : TOP);
    if (d.token !== next.token) throw new Error(`${name}: sampled ${next.token} but the best probability is ${d.token}`);
    positions.push({ token: d.token, top2_margin: d.top2_margin, logit_minus_max: d.logit_minus_max });
    ids.push(next.token);
    input = [[next.token, { generateNext: greedy }]];
  }
  const text = SINGLE ? model.detokenize([...promptIds, ...ids].filter(t => t !== model.tokens.bos)) : undefined;
  models.push({ name, sha256, prompt: PROMPT, prompt_ids: promptIds, greedy_ids: ids, text, positions });
  if (SINGLE) console.log(JSON.stringify(text));
  console.log(name, sha256.slice(0, 12), 'prompt', promptIds.length, 'tokens; greedy', ids.join(' '),
      '; min top-2 margin', Math.min(...positions.map(p => p.top2_margin)).toFixed(4));
  await context.dispose();
  await model.dispose();
}
const golden = {
  generator: 'engine/src/test/golden/generate.mjs',
  llama_cpp: { 'node-llama-cpp': pkg.version, release, llamaCppRelease: llama.llamaCppRelease, systemInfo: llama.systemInfo,
    backend: 'CPU', threads: 1, kv_cache: 'F32', flash_attention: false },
  node: process.version,
  note: 'logit_minus_max = ln p − ln p_max from llama.cpp softmax probabilities; positions[i] is the distribution that chose greedy_ids[i] (positions[0]: after the prompt, all tokens; later ones: the top ' + TOP + ').',
  models,
};
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, JSON.stringify(golden) + '\n');
await llama.dispose();
