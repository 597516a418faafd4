// llama.cpp pp512/tg128 through node-llama-cpp 3.21.1 (see bench/RESULTS.md): node bench-llamacpp.mjs FILE THREADS REPS, run from a directory where node-llama-cpp is installed (e.g. copy it to /work/scratch-llama). Mean ± sd over reps; random tokens; fresh cache per test.
import { getLlama } from 'node-llama-cpp';
const [file, threads = '2', reps = '5'] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error', maxThreads: Number(threads) });
const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
const ctx = await model.createContext({ contextSize: 1024, batchSize: 512, threads: Number(threads) });
const seq = ctx.getSequence();
let x = 42; const rnd = () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x % 32000; };
const stats = a => { const m = a.reduce((s, v) => s + v, 0) / a.length; const sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1)); return `${m.toFixed(2)} ± ${sd.toFixed(2)}`; };
// warm-up
await seq.controlledEvaluate(Array.from({ length: 32 }, rnd)); await seq.clearHistory();
const pp = [], tg = [];
for (let r = 0; r < Number(reps); r++) {
  await seq.clearHistory();
  const toks = Array.from({ length: 512 }, rnd);
  const t0 = process.hrtime.bigint();
  await seq.controlledEvaluate(toks.map((t, i) => i === 511 ? [t, { generateNext: { token: true, options: { temperature: 0 } } }] : t));
  pp.push(512 / (Number(process.hrtime.bigint() - t0) / 1e9));
}
for (let r = 0; r < Number(reps); r++) {
  await seq.clearHistory();
  let t = rnd();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 128; i++) {
    const res = await seq.controlledEvaluate([[t, { generateNext: { token: true, options: { temperature: 0 } } }]]);
    t = res[0].next.token;
  }
  tg.push(128 / (Number(process.hrtime.bigint() - t0) / 1e9));
}
console.log(`${file} threads=${threads}: pp512 ${stats(pp)} t/s, tg128 ${stats(tg)} t/s`);
await llama.dispose();
