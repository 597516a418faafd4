// Golden-vector generator for gale.tokenizer: writes vocab-only GGUF files for GPT-2, Llama 2 (SentencePiece) and
// Llama 3 vocabularies taken from npm packages, tokenizes a fixed list of strings with llama.cpp (through
// node-llama-cpp@3.21.1, which bundles llama.cpp tag v0.4.0 of its own release train) and writes the ids as golden
// test data. Gale's own tokenizer is never used here: every id in the golden files comes from llama.cpp.
//
// Exact commands (run once; outputs are committed under tokenizer/src/test/resources/gale/tokenizer/):
//   mkdir -p /work/scratch-tok && cd /work/scratch-tok && npm init -y
//   npm install --ignore-scripts --omit=optional node-llama-cpp@3.21.1 @node-llama-cpp/linux-x64@3.21.1 \
//       gpt-3-encoder@1.1.4 llama-tokenizer-js@1.2.2 llama3-tokenizer-js@1.2.0
//   SCRATCH=/work/scratch-tok node tokenizer/src/test/golden/generate.mjs tokenizer/src/test/resources/gale/tokenizer
//
// Vocabulary sources and reconstruction (the npm packages ship vocabularies, not GGUF files):
//  - GPT-2: gpt-3-encoder's encoder.json + vocab.bpe (OpenAI's r50k files). <|endoftext|> (50256) is CONTROL.
//  - Llama 2: llama-tokenizer-js's 32000 pieces (in id order). The package has no scores; SentencePiece BPE stores
//    its pieces in merge-priority order, so score = -id for normal pieces reproduces the merge order. Types:
//    <unk> UNKNOWN, <s>/</s> CONTROL, <0xNN> BYTE, others NORMAL.
//  - Llama 3: llama3-tokenizer-js's 128000 pieces + 256 special tokens and its rank-ordered merges.
// The same GPT-2 vocabulary is also written with pre-tokenizers "default" and "qwen2" so those scanners get
// llama.cpp-produced vectors too.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const SCRATCH = process.env.SCRATCH ?? '/work/scratch-tok';
const OUT = process.argv[2];
if (!OUT) throw new Error('usage: node generate.mjs <output dir>');
const req = createRequire(path.join(SCRATCH, 'package.json'));
const modPath = (name, file) => path.join(SCRATCH, 'node_modules', name, file);

// ---------- vocabularies ----------
function gpt2Vocab() {
  const encoder = JSON.parse(fs.readFileSync(modPath('gpt-3-encoder', 'encoder.json'), 'utf8'));
  const tokens = [];
  for (const [t, id] of Object.entries(encoder)) tokens[id] = t;
  const merges = fs.readFileSync(modPath('gpt-3-encoder', 'vocab.bpe'), 'utf8').split('\n')
      .slice(1).filter(l => l.length > 0);
  const types = tokens.map(t => t === '<|endoftext|>' ? 3 : 1);
  return { model: 'gpt2', tokens, types, scores: null, merges, bos: 50256, eos: 50256, addBos: false };
}

async function llama2Vocab() {
  const m = await import(pathToFileURL(modPath('llama-tokenizer-js', 'llama-tokenizer.js')).href);
  const tokens = m.default.vocabById.slice();
  if (tokens.length !== 32000) throw new Error('llama2 vocab size ' + tokens.length);
  const types = tokens.map((t, i) => i === 0 ? 2 : i <= 2 ? 3 : /^<0x[0-9A-F]{2}>$/.test(t) ? 6 : 1);
  const scores = tokens.map((t, i) => types[i] === 1 ? -i : 0);
  return { model: 'llama', tokens, types, scores, merges: null, bos: 1, eos: 2, unk: 0, addBos: true };
}

async function llama3Vocab() {
  const m = await import(pathToFileURL(modPath('llama3-tokenizer-js', 'bundle/llama3-tokenizer-with-baked-data.js')).href);
  const tok = m.default;
  const tokens = tok.vocabById.slice();
  if (tokens.length !== 128256) throw new Error('llama3 vocab size ' + tokens.length);
  const merges = [...tok.merges.entries()].sort((a, b) => a[1] - b[1]).map(e => e[0]);
  const types = tokens.map((t, i) => i >= 128000 ? 3 : 1);
  return { model: 'gpt2', pre: 'llama-bpe', tokens, types, scores: null, merges, bos: 128000, eos: 128001, addBos: true };
}

// ---------- GGUF v3 writer (vocab only: llama hyperparameters, no tensors) ----------
class GgufWriter {
  constructor() { this.chunks = []; this.kvs = 0; }
  u8(v) { const b = Buffer.alloc(1); b.writeUInt8(v); this.chunks.push(b); }
  u32(v) { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.chunks.push(b); }
  i32(v) { const b = Buffer.alloc(4); b.writeInt32LE(v); this.chunks.push(b); }
  u64(v) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.chunks.push(b); }
  f32(v) { const b = Buffer.alloc(4); b.writeFloatLE(v); this.chunks.push(b); }
  str(s) { const b = Buffer.from(s, 'utf8'); this.u64(b.length); this.chunks.push(b); }
  kvStr(k, v) { this.kvs++; this.str(k); this.u32(8); this.str(v); }
  kvU32(k, v) { this.kvs++; this.str(k); this.u32(4); this.u32(v); }
  kvF32(k, v) { this.kvs++; this.str(k); this.u32(6); this.f32(v); }
  kvBool(k, v) { this.kvs++; this.str(k); this.u32(7); this.u8(v ? 1 : 0); }
  kvArr(k, type, arr) {
    this.kvs++; this.str(k); this.u32(9); this.u32(type); this.u64(arr.length);
    for (const x of arr) { if (type === 8) this.str(x); else if (type === 6) this.f32(x); else this.i32(x); }
  }
  bytes() {
    const head = Buffer.alloc(24);
    head.write('GGUF', 0, 'latin1'); head.writeUInt32LE(3, 4);
    head.writeBigUInt64LE(0n, 8); head.writeBigUInt64LE(BigInt(this.kvs), 16);
    let body = Buffer.concat([head, ...this.chunks]);
    const pad = (32 - body.length % 32) % 32;
    return Buffer.concat([body, Buffer.alloc(pad)]);
  }
}

function writeGguf(file, v, pre) {
  const w = new GgufWriter();
  w.kvStr('general.architecture', 'llama');
  w.kvStr('general.name', 'vocab-only');
  w.kvU32('llama.context_length', 2048);
  w.kvU32('llama.embedding_length', 64);
  w.kvU32('llama.block_count', 1);
  w.kvU32('llama.feed_forward_length', 128);
  w.kvU32('llama.attention.head_count', 4);
  w.kvU32('llama.attention.head_count_kv', 4);
  w.kvU32('llama.rope.dimension_count', 16);
  w.kvF32('llama.attention.layer_norm_rms_epsilon', 1e-5);
  w.kvU32('llama.vocab_size', v.tokens.length);
  w.kvStr('tokenizer.ggml.model', v.model);
  if (pre) w.kvStr('tokenizer.ggml.pre', pre);
  w.kvArr('tokenizer.ggml.tokens', 8, v.tokens);
  if (v.scores) w.kvArr('tokenizer.ggml.scores', 6, v.scores);
  w.kvArr('tokenizer.ggml.token_type', 5, v.types);
  if (v.merges) w.kvArr('tokenizer.ggml.merges', 8, v.merges);
  w.kvU32('tokenizer.ggml.bos_token_id', v.bos);
  w.kvU32('tokenizer.ggml.eos_token_id', v.eos);
  if (v.unk !== undefined) w.kvU32('tokenizer.ggml.unknown_token_id', v.unk);
  w.kvBool('tokenizer.ggml.add_bos_token', v.addBos);
  fs.writeFileSync(file, w.bytes());
}

// ---------- vocabulary files for the Java tests (gzip text; see GoldenVocab.java for the format) ----------
function esc(s) { return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r'); }
function writeVocabText(file, v, pre) {
  const lines = [];
  lines.push('model ' + v.model);
  if (pre) lines.push('pre ' + pre);
  lines.push('bos ' + v.bos, 'eos ' + v.eos, 'add_bos ' + v.addBos);
  if (v.unk !== undefined) lines.push('unk ' + v.unk);
  lines.push('tokens ' + v.tokens.length);
  for (let i = 0; i < v.tokens.length; i++) lines.push(v.types[i] + ' ' + (v.scores ? v.scores[i] : 0) + ' ' + esc(v.tokens[i]));
  lines.push('merges ' + (v.merges ? v.merges.length : 0));
  if (v.merges) for (const m of v.merges) lines.push(esc(m));
  fs.writeFileSync(file, zlib.gzipSync(Buffer.from(lines.join('\n') + '\n', 'utf8'), { level: 9 }));
}

// ---------- test strings ----------
const TEXTS = [
  'Hello world',
  ' Hello world',
  'Hello, world! How are you today?',
  "I'm sure they'll say it's fine, but we'd've known. DON'T SHOUT, THEY'RE here; we'LL see.",
  'The quick brown fox jumps over the lazy dog.',
  'def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n',
  'public static void main(String[] args) {\n\tSystem.out.println("hi");\n}\n',
  'for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; } // dot product',
  '{"key": [1, 2.5, -3e10, null, true], "nested": {"a": "b"}}',
  'https://example.com/path?query=1&other=two#frag',
  '1234567890',
  '3.14159265358979',
  '1,000,000 and 12a345 and 007 and 2024-06-15',
  '½ ² Ⅻ ٣٤٥ 一二三',
  '  ',
  '   leading spaces',
  'trailing spaces   ',
  'a  \n  b\n\n\nc\t\td \r\n e',
  '\n',
  '\n\n\n\n',
  ' ',
  '\t',
  'multiple     spaces      between      words',
  '日本語のテキストを分割します。',
  '中文分词测试，包括标点符号！',
  '한국어 텍스트입니다',
  'Привет, мир! Как дела?',
  'مرحبا بالعالم',
  'Ελληνικά κείμενα',
  'हिन्दी पाठ',
  'ไทย ภาษา',
  '😀👍🏽🇫🇷 emoji 👨‍👩‍👧 test 🤖',
  'e\u0301 vs \u00e9, n\u0303, a\u0308\u0304',
  'Z\u0324\u0354\u0367\u0311\u0313a\u0308\u0356\u032dl\u036e\u0312\u036bg\u030c\u0317\u035a\u031ao\u0319\u0314\u036e',
  'mixed: English, Русский, 中文, العربية, 日本語 and numbers 42',
  '<|endoftext|>',
  'text <|endoftext|> more text',
  '<s> hello </s>',
  '<unk>',
  '<|begin_of_text|>Hello<|end_of_text|>',
  '<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
  '<0x41><0x0A>',
  '<|reserved_special_token_5|> <|eot_id |>',
  '\u00a0non-breaking\u00a0space and\u3000ideographic\u2028line\u0085next',
  '\u0001\u0002\u007f control chars',
  "''''' 'quoted' \"double\" `back`",
  '----====____****####$$$$',
  '_______________________________',
  '...!!!???,,,;;;:::',
  'The year 1999 and 2000000 and 0.000001',
  'AbCdEfGhIjKlMnOpQrStUvWxYz',
  'supercalifragilisticexpialidocious antidisestablishmentarianism',
  'ℌ𝔢𝔩𝔩𝔬 𝕨𝕠𝕣𝕝𝕕 ＦＵＬＬＷＩＤＴＨ',
  '\u200b\u200c\u200d zero width',
  '𝌆 𐍈 𓀀 rare planes',
  '   \n   \n',
  'Hello\n\nWorld\r\n\r\nEnd',
  "it's IT'S It'S 'll 'LL 'Ve",
  '$100 + 20% = ~$120 | a<b>c ^ d',
  'x'.repeat(200),
  '9'.repeat(50),
  ' '.repeat(40) + 'x',
];

// Deterministic pseudo-random strings over an alphabet of the characters the scanners treat specially: apostrophe
// contractions, \r\n, space runs, digits, letters of several scripts, combining marks, emoji, punctuation, symbols,
// non-ASCII whitespace. A fixed LCG keeps the set reproducible.
const ALPHABET = [..." ' '\r\n\t\u00a0\u3000", ..."aZsStTmMdDlLrReEvV", "'s", "'T", "'re", "'LL", "'ve", "'d", "'M",
  ..."0123456789", "٣", "½", "Ⅻ", ..."日本語中文한국", ..."éñüßøΩжщ", "\u0301", "\u0308", "\u200d", "😀", "👍🏽", "🇫🇷",
  ..."!?.,;:-_=+*/\\()[]{}<>|&^%$#@~`\"", "€", "©", "→", "…", "—", "«", "»", "<s>", "</s>", "<|endoftext|>",
  "<|eot_id|>", "<|begin_of_text|>", "<unk>", "▁", "Ġ", "  ", "\n\n", "hello", " world", "The", " 2024"];
function fuzzStrings(n, seed) {
  let x = seed >>> 0;
  const rnd = (m) => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x % m; };
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = 1 + rnd(24);
    let s = '';
    for (let j = 0; j < len; j++) s += ALPHABET[rnd(ALPHABET.length)];
    out.push(s);
  }
  return out;
}
TEXTS.push(...fuzzStrings(300, 20240615));
TEXTS.push('It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of '
  + 'foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, it was the '
  + "season of Darkness, it was the spring of hope, it was the winter of despair. We had everything before us, we "
  + "had nothing before us; we were all going direct to Heaven, we were all going direct the other way.\n\n"
  + '    In short, the period was so far like the present period, that some of its noisiest authorities insisted on '
  + "its being received, for good or for evil, in the superlative degree of comparison only. (Dickens, 1859)\n");

// ---------- run llama.cpp ----------
const { getLlama } = await import(pathToFileURL(req.resolve('node-llama-cpp')).href);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });

async function golden(name, v, pre) {
  const gguf = path.join(SCRATCH, name + '.gguf');
  writeGguf(gguf, v, pre);
  const model = await llama.loadModel({ modelPath: gguf, vocabOnly: true, gpuLayers: 0 });
  const out = [];
  for (const text of TEXTS) {
    for (const special of [false, true]) {
      const ids = Array.from(model.tokenize(text, special));
      // llama_detokenize(remove_special=false, unparse_special=special); comparable with Gale's decode only where
      // llama.cpp's clean_spaces is off (SentencePiece, qwen2)
      const decoded = model.detokenize(ids, special);
      out.push(JSON.stringify({ text, special, ids, decoded }));
    }
  }
  await model.dispose();
  fs.writeFileSync(path.join(OUT, name + '.golden.jsonl'), out.join('\n') + '\n');
  console.log(name, out.length, 'vectors');
}

fs.mkdirSync(OUT, { recursive: true });
const gpt2 = gpt2Vocab();
writeVocabText(path.join(OUT, 'gpt2.vocab.gz'), gpt2, 'gpt-2');
await golden('gpt2', gpt2, 'gpt-2');
await golden('gpt2-default', gpt2, 'default');
await golden('gpt2-qwen2', gpt2, 'qwen2');
const l2 = await llama2Vocab();
writeVocabText(path.join(OUT, 'llama2.vocab.gz'), l2, null);
await golden('llama2', l2, null);
const l3 = await llama3Vocab();
writeVocabText(path.join(OUT, 'llama3.vocab.gz'), l3, 'llama-bpe');
await golden('llama3', l3, 'llama-bpe');
await llama.dispose();
