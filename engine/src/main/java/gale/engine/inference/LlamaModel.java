// A Llama-family model on one device: weights mapped/uploaded once, the KV cache on the device, forward as task graphs.
package gale.engine.inference;

import gale.compute.DataTransferMode;
import gale.compute.Device;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.GridScheduler;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.TaskGraph;
import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufFormatException;
import gale.engine.model.LlamaConfig;
import gale.engine.model.LlamaWeights;
import gale.kernels.Activations;
import gale.kernels.Attention;
import gale.kernels.Linear;
import gale.kernels.Norms;
import gale.kernels.Rope;
import gale.kernels.Rows;
import gale.kernels.Sampling;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a Llama-family GGUF model on one device. The forward pass ({@link #forwardGraph}) is one task graph per
 * batch size, built from kernels in {@code tornado-kernels}; all graphs share one execution plan, so weights are
 * uploaded once and the KV cache ((layers, context, kvDim), F32 or F16) never leaves the device. Prompts run in
 * batches of up to {@link Options#batchSize} tokens through mat-mul kernels; logits are computed for the last token
 * only, and greedy decoding takes the argmax on the device so one int comes back per token.
 * Not thread-safe: one generation at a time.
 */
public final class LlamaModel implements AutoCloseable {
    /** KV cache storage. */
    public enum CacheType { F32, F16 }

    /**
     * @param backend       device id ("jvm", "opencl:0", "cuda:0")
     * @param cacheType     KV cache storage
     * @param contextLength positions the cache holds; 0 = min(the file's context length, 4096)
     * @param batchSize     prompt tokens per forward pass
     */
    public record Options(String backend, CacheType cacheType, int contextLength, int batchSize) {
        public Options {
            if (contextLength < 0) throw new IllegalArgumentException("context length must be >= 0, got " + contextLength);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }

        public static Options defaults() { return new Options("jvm", CacheType.F32, 0, 256); }

        public Options withBackend(String b) { return new Options(b, cacheType, contextLength, batchSize); }
    }

    private final GgufFile file;
    private final LlamaConfig c;
    private final gale.tokenizer.Tokenizer tokenizer;
    private final java.util.Set<Integer> endOfGeneration;
    private final Device device;
    private final ExecutionPlan plan;
    private final GridScheduler grids = new GridScheduler();
    private final boolean workGroups;   // GPU-style kernels (a work-group per row) where the device is a GPU
    private final int maxSeq, batch;
    private final CacheType cacheType;

    // Weights: views of the memory-mapped file.
    private final Weight tokenEmbedding, output;
    private final FloatArray outputNorm, ropeFactors;
    private final FloatArray[] attnNorm, ffnNorm;
    private final Weight[] wq, wk, wv, wo, w1, w2, w3;

    // Activations, sized for a full batch.
    private final IntArray tokens;      // (batch)
    private final IntArray pos;         // (1) position of the batch's first token
    private final FloatArray x;         // (batch, dim) the residual stream
    private final FloatArray xb;        // (batch, dim) normalised input of a sub-layer
    private final FloatArray q;         // (batch, dim)
    private final FloatArray k, v;      // (batch, kvDim)
    private final FloatArray att;       // (batch, dim) attention output before Wo
    private final FloatArray hb;        // (batch, ffn) silu(W1 x)·(W3 x)
    private final FloatArray xLast;     // (dim) the last token's residual
    private final FloatArray xn;        // (dim) its final norm
    private final FloatArray logits;    // (vocab)
    private final FloatArray partMax;   // (ARGMAX_PARTS)
    private final IntArray partIdx;     // (ARGMAX_PARTS)
    private final IntArray next;        // (1) the argmax
    private final GaleArray keyCache, valueCache; // (layers, maxSeq, kvDim), device-only

    private static final int ARGMAX_PARTS = 64;
    private long tokensProcessed;
    private int position;

    private LlamaModel(GgufFile file, LlamaWeights w, Options o) throws GgufFormatException {
        this.file = file;
        this.c = w.config();
        this.tokenizer = GgufTokenizer.tokenizer(file);
        this.endOfGeneration = java.util.Set.copyOf(GgufTokenizer.endOfGeneration(file, tokenizer.vocabulary()));
        if (tokenizer.vocabulary().size() != c.vocabSize())
            throw new GgufFormatException(file.source(), "tokenizer.ggml.tokens", file.valueOffset("tokenizer.ggml.tokens"),
                    "has " + tokenizer.vocabulary().size() + " tokens but the model's vocabulary size is " + c.vocabSize());
        this.device = Devices.select(o.backend());
        // Fault the whole mapping in now (after a bad backend id has failed), as llama.cpp's MAP_POPULATE does: decode
        // reads one embedding row per token, and each new row's page cost a fault in the token loop (jvm embedding
        // launch 26–29 against 3.2–4.7 µs prefaulted, bench/RESULTS.md); every other weight is read in full at the
        // first token or upload anyway.
        if (file.segment().isMapped()) file.segment().load();
        this.workGroups = device.info().type().equals("GPU");
        this.cacheType = o.cacheType();
        this.maxSeq = o.contextLength() > 0 ? Math.min(o.contextLength(), c.contextLength()) : Math.min(c.contextLength(), 4096);
        this.batch = Math.min(o.batchSize(), maxSeq);
        int dim = c.embeddingLength(), kvDim = c.kvDim(), layers = c.blockCount();

        tokenEmbedding = Weight.of(w.tokenEmbedding());
        output = w.outputTied() ? tokenEmbedding : Weight.of(w.output()); // one array, so it is uploaded once
        outputNorm = Weight.vector(w.outputNorm());
        int rotDim = c.ropeDimensionCount();
        ropeFactors = w.ropeFreqs().map(Weight::vector).orElseGet(() -> ones(Math.max(1, rotDim / 2)));
        attnNorm = new FloatArray[layers]; ffnNorm = new FloatArray[layers];
        wq = new Weight[layers]; wk = new Weight[layers]; wv = new Weight[layers]; wo = new Weight[layers];
        w1 = new Weight[layers]; w2 = new Weight[layers]; w3 = new Weight[layers];
        for (int l = 0; l < layers; l++) {
            LlamaWeights.Layer L = w.layer(l);
            attnNorm[l] = Weight.vector(L.attnNorm());
            ffnNorm[l] = Weight.vector(L.ffnNorm());
            wq[l] = Weight.of(L.attnQ()); wk[l] = Weight.of(L.attnK()); wv[l] = Weight.of(L.attnV());
            wo[l] = Weight.of(L.attnOutput());
            w1[l] = Weight.of(L.ffnGate()); w2[l] = Weight.of(L.ffnDown()); w3[l] = Weight.of(L.ffnUp());
        }

        tokens = IntArray.create(batch);
        pos = IntArray.create(1);
        x = FloatArray.create((long) batch * dim);
        xb = FloatArray.create((long) batch * dim);
        q = FloatArray.create((long) batch * dim);
        k = FloatArray.create((long) batch * kvDim);
        v = FloatArray.create((long) batch * kvDim);
        att = FloatArray.create((long) batch * dim);
        hb = FloatArray.create((long) batch * c.feedForwardLength());
        xLast = FloatArray.create(dim);
        xn = FloatArray.create(dim);
        logits = FloatArray.create(c.vocabSize());
        partMax = FloatArray.create(ARGMAX_PARTS);
        partIdx = IntArray.create(ARGMAX_PARTS);
        next = IntArray.create(1);
        long cacheElems = Math.multiplyExact(Math.multiplyExact((long) layers, maxSeq), kvDim);
        keyCache = cacheType == CacheType.F32 ? FloatArray.deviceOnly(cacheElems) : HalfArray.deviceOnly(cacheElems);
        valueCache = cacheType == CacheType.F32 ? FloatArray.deviceOnly(cacheElems) : HalfArray.deviceOnly(cacheElems);

        plan = new ExecutionPlan(headGraph(false).snapshot(), headGraph(true).snapshot()).withDevice(device).withGridScheduler(grids);
    }

    /** Opens a GGUF file and prepares the model on the device {@code options.backend()}. */
    public static LlamaModel load(Path path, Options options) throws IOException {
        GgufFile file = GgufFile.open(path);
        try {
            return new LlamaModel(file, LlamaWeights.from(file), options);
        } catch (GgufFormatException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The forward pass of nTok tokens at positions pos..pos+nTok−1, ending with the last token's residual in xLast. */
    private TaskGraph forwardGraph(int nTok) {
        int dim = c.embeddingLength(), kvDim = c.kvDim(), ffn = c.feedForwardLength(), hd = c.headDim();
        int nHead = c.headCount(), nKv = c.headCountKv();
        float eps = c.rmsNormEps(), base = c.ropeFreqBase();
        TaskGraph g = new TaskGraph("forward" + nTok)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, tokens, pos)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, weightArrays());
        Linear.embedding(g, "embed", tokenEmbedding.type(), x, tokenEmbedding.data(), tokens, nTok, c.vocabSize(), dim);
        for (int l = 0; l < c.blockCount(); l++) {
            String L = "l" + l + "_";
            // attention: x += Wo · attention(rope(Wq·norm(x)), rope(Wk·norm(x)), Wv·norm(x))
            g.task(L + "attnNorm", Norms::rmsNorm, xb, x, attnNorm[l], nTok, dim, eps);
            linear(g, L + "q", q, xb, wq[l], nTok);
            linear(g, L + "k", k, xb, wk[l], nTok);
            linear(g, L + "v", v, xb, wv[l], nTok);
            if (cacheType == CacheType.F32) {
                g.task(L + "rope", Rope::ropeToCache, q, k, v, (FloatArray) keyCache, (FloatArray) valueCache, pos, ropeFactors,
                        l, nTok, nHead, nKv, hd, c.ropeDimensionCount(), maxSeq, base);
                g.task(L + "attn", Attention::attention, att, q, (FloatArray) keyCache, (FloatArray) valueCache, pos,
                        l, nTok, nHead, nKv, hd, maxSeq);
            } else {
                g.task(L + "rope", Rope::ropeToCacheF16, q, k, v, (HalfArray) keyCache, (HalfArray) valueCache, pos, ropeFactors,
                        l, nTok, nHead, nKv, hd, c.ropeDimensionCount(), maxSeq, base);
                g.task(L + "attn", Attention::attentionF16, att, q, (HalfArray) keyCache, (HalfArray) valueCache, pos,
                        l, nTok, nHead, nKv, hd, maxSeq);
            }
            linearAdd(g, L + "wo", x, att, wo[l], nTok);
            // feed-forward: x += W2 · (silu(W1·norm(x)) * W3·norm(x))
            g.task(L + "ffnNorm", Norms::rmsNorm, xb, x, ffnNorm[l], nTok, dim, eps);
            if (nTok == 1 && workGroups) Linear.swiGluMatVec(g, L + "ffn", w1[l].type(), hb, xb, w1[l].data(), w3[l].data(), ffn, dim, grids, 64);
            else if (nTok == 1) Linear.swiGluMatVec(g, L + "ffn", w1[l].type(), hb, xb, w1[l].data(), w3[l].data(), ffn, dim);
            else Linear.swiGluMatMul(g, L + "ffn", w1[l].type(), hb, xb, w1[l].data(), w3[l].data(), nTok, ffn, dim);
            linearAdd(g, L + "w2", x, hb, w2[l], nTok);
        }
        return g.task("last", Rows::copyRow, xLast, x, nTok - 1, dim);
    }

    /** The head: logits = Wout · norm(xLast); with {@code argmax}, only the index of the largest comes back. */
    private TaskGraph headGraph(boolean argmax) {
        TaskGraph g = new TaskGraph(argmax ? "argmax" : "logits")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, outputNorm, output.data())
                .task("norm", Norms::rmsNorm, xn, xLast, outputNorm, 1, c.embeddingLength(), c.rmsNormEps());
        if (workGroups) Linear.matVec(g, "output", output.type(), logits, xn, output.data(), output.rows(), output.cols(), grids, 64);
        else Linear.matVec(g, "output", output.type(), logits, xn, output.data(), output.rows(), output.cols());
        if (!argmax) return g.transferToHost(DataTransferMode.EVERY_EXECUTION, logits);
        return g.task("argmaxPartial", Sampling::argmaxPartial, partMax, partIdx, logits, c.vocabSize(), ARGMAX_PARTS)
                .task("argmaxFinal", Sampling::argmaxFinal, next, partMax, partIdx, ARGMAX_PARTS)
                // the final hidden state (dim floats) and the part maxima come back too, so greedy() can tell that the
                // logits are finite without copying them: the argmax kernel skips NaNs and would pick an arbitrary id
                .transferToHost(DataTransferMode.EVERY_EXECUTION, next, xn, partMax);
    }

    /** The model's tokenizer (from the file's metadata). */
    public gale.tokenizer.Tokenizer tokenizer() { return tokenizer; }

    /** Token ids that end generation (EOS, EOT…). */
    public java.util.Set<Integer> endOfGeneration() { return endOfGeneration; }

    /** The file's {@code tokenizer.chat_template}, or null. */
    public String chatTemplate() {
        var v = file.get("tokenizer.chat_template");
        return v != null && v.type() == gale.engine.gguf.GgufValueType.STRING ? v.asString() : null;
    }

    /** The file's {@code general.name}, or the file name. */
    public String name() {
        var v = file.get("general.name");
        return v != null && v.type() == gale.engine.gguf.GgufValueType.STRING ? v.asString() : file.source();
    }

    /** Bytes of weights in the file. */
    public long fileBytes() { return file.segment().byteSize(); }

    /** Parameters: the elements of every tensor in the file, as llama-bench counts them (a tied output counts once). */
    public long parameterCount() {
        long n = 0;
        for (var t : file.tensors()) n += t.elementCount();
        return n;
    }

    /** Hyperparameters from the file. */
    public LlamaConfig config() { return c; }

    /** The device the model runs on. */
    public Device device() { return device; }

    /** Positions the KV cache holds. */
    public int contextLength() { return maxSeq; }

    /** The next position to be written (tokens processed so far). */
    public int position() { return position; }

    /** Tokens run through the layers since loading (prefill and decode; a rewind does not reset it). */
    public long tokensProcessed() { return tokensProcessed; }

    /** Forgets the cached positions from {@code newPosition} on (0 = start over). */
    public void rewind(int newPosition) {
        if (newPosition < 0 || newPosition > position)
            throw new IllegalArgumentException("cannot rewind to position " + newPosition + " (at " + position + ")");
        position = newPosition;
    }

    /** Runs {@code toks} at the next positions and returns the last one's logits (a fresh array). */
    public float[] logits(int[] toks) {
        ingest(toks);
        plan.execute("logits");
        return logits.toArray();
    }

    /** Runs {@code toks} at the next positions and returns the argmax of the last one's logits, computed on the device. */
    public int greedy(int[] toks) {
        ingest(toks);
        plan.execute("argmax");
        // NaN/Inf anywhere in the residual stream makes the normed hidden state non-finite (RMSNorm sums over it);
        // a part maximum of ±Inf/NaN means the logits themselves overflowed.
        for (int i = 0; i < c.embeddingLength(); i++)
            if (!Float.isFinite(xn.get(i)))
                throw new gale.engine.generate.NonFiniteLogitsException("the hidden state at position " + (position - 1)
                        + " is " + xn.get(i) + " (element " + i + "): the model produced NaN/Inf, so its logits are not finite");
        for (int p = 0; p < ARGMAX_PARTS; p++)
            if (!Float.isFinite(partMax.get(p)))
                throw new gale.engine.generate.NonFiniteLogitsException("a logit at position " + (position - 1) + " is " + partMax.get(p)
                        + ": the logits are not finite");
        return next.get(0);
    }

    /** The execution plan's profile (per-task kernel time, bytes moved, host overhead). */
    public gale.compute.ProfileReport profile() { return plan.profile(); }

    /** Turns per-task profiling on or off. */
    public void profiling(boolean on) { plan.withProfiler(on); }

    private void ingest(int[] toks) {
        if (toks.length == 0) throw new IllegalArgumentException("no tokens to run");
        if (position + toks.length > maxSeq)
            throw new ContextFullException("context is full: " + position + " cached + " + toks.length + " new tokens > context length " + maxSeq);
        for (int t : toks)
            if (t < 0 || t >= c.vocabSize()) throw new IllegalArgumentException("token id " + t + " is outside the vocabulary (size " + c.vocabSize() + ")");
        for (int start = 0; start < toks.length; start += batch) {
            int n = Math.min(batch, toks.length - start);
            for (int i = 0; i < n; i++) tokens.set(i, toks[start + i]);
            pos.set(0, position);
            String name = "forward" + n;
            if (!plan.hasGraph(name)) plan.addGraph(forwardGraph(n).snapshot());
            plan.execute(name);
            position += n;
            tokensProcessed += n;
        }
    }

    /** Prompt plus generation would exceed the context length. */
    public static final class ContextFullException extends IllegalStateException {
        public ContextFullException(String message) { super(message); }
    }

    private void linear(TaskGraph g, String task, FloatArray out, FloatArray in, Weight w, int nTok) {
        if (nTok > 1) Linear.matMul(g, task, w.type(), out, in, w.data(), nTok, w.rows(), w.cols());
        else if (workGroups) Linear.matVec(g, task, w.type(), out, in, w.data(), w.rows(), w.cols(), grids, 64);
        else Linear.matVec(g, task, w.type(), out, in, w.data(), w.rows(), w.cols());
    }

    private void linearAdd(TaskGraph g, String task, FloatArray out, FloatArray in, Weight w, int nTok) {
        if (nTok > 1) Linear.matMulAdd(g, task, w.type(), out, in, w.data(), nTok, w.rows(), w.cols());
        else if (workGroups) Linear.matVecAdd(g, task, w.type(), out, in, w.data(), w.rows(), w.cols(), grids, 64);
        else Linear.matVecAdd(g, task, w.type(), out, in, w.data(), w.rows(), w.cols());
    }

    private GaleArray[] weightArrays() {
        List<GaleArray> a = new ArrayList<>();
        a.add(tokenEmbedding.data());
        a.add(ropeFactors);
        for (int l = 0; l < c.blockCount(); l++) {
            a.add(attnNorm[l]); a.add(ffnNorm[l]);
            for (Weight w : new Weight[]{wq[l], wk[l], wv[l], wo[l], w1[l], w2[l], w3[l]}) a.add(w.data());
        }
        return a.toArray(GaleArray[]::new);
    }

    private static FloatArray ones(int n) {
        FloatArray a = FloatArray.create(n);
        a.fill(1f);
        return a;
    }

    @Override public void close() {
        plan.close();
        file.close();
    }
}
