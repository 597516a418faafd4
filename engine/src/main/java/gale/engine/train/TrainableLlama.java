// A Llama model that trains on any Gale device: forward, backward and AdamW as task graphs over device-resident state.
package gale.engine.train;

import gale.compute.DataTransferMode;
import gale.compute.Device;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.IntArray;
import gale.compute.TaskGraph;
import gale.engine.model.LlamaConfig;
import gale.kernels.Embedding;
import gale.kernels.train.Optimizer;
import gale.kernels.train.TrainAttention;
import gale.kernels.train.TrainMatMul;
import gale.kernels.train.TrainNorms;
import gale.kernels.train.TrainOps;
import gale.kernels.train.TrainRope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A trainable Llama (F32) on one device. Parameters, gradients, both Adam moments and the activations live on the
 * device for the model's life, in one {@link ExecutionPlan} whose graphs share buffers: {@code train} (forward,
 * loss, backward, gradients accumulated), {@code eval} (forward and loss), {@code logitsOnly}, {@code norm} (gradient
 * sums of squares) and {@code adam}. Per step only tokens and targets go up, and per-sequence loss sums, the norm
 * partials and 8 hyper-parameters cross the bus. See {@code package-info} for what is stored and what recomputed.
 *
 * <p>Activation memory (stored vs storing everything, incl. the T×T attention weights and scores, normalised inputs,
 * pre-RoPE q/k, SwiGLU products and softmax probabilities): {@link #activationMemory()}. For the tiny test model
 * (dim 16, 2 layers, seq 9, batch 2) and the demo model (dim 128, 4 layers, 4 heads, ffn 352, vocab 2048, seq 128,
 * batch 4) the numbers are printed by {@code TrainableLlamaTest}: tiny 27 864 B stored vs 61 632 B storing everything
 * (2.2×); demo 16 568 320 B stored vs 39 374 848 B (2.4×; the T×T scores and weights alone are 8.4 MB and grow as
 * seqLen², while everything stored here grows linearly).
 *
 * <p>Deterministic: every kernel writes each element from one work-item summing in a fixed order, and the global
 * norm adds fixed partials on the host in a fixed order, so the same steps on the same device give bit-identical
 * parameters. No kernel uses a {@code KernelContext}, so no per-task grids are needed on GPUs. Not thread-safe.
 */
public final class TrainableLlama implements AutoCloseable {
    /** Shape of a parameter in ggml order (ne0 = columns first), GGUF tensor name. */
    public record Param(String name, long[] shape) {
        public long size() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    /** Sum of the token losses (nats) and the number of tokens with a target. */
    public record Loss(double sum, long tokens) {
        public double mean() { return tokens == 0 ? 0 : sum / tokens; }
    }

    /** AdamW hyper-parameters; clipNorm ≤ 0 turns clipping off. */
    public record AdamW(float beta1, float beta2, float eps, float weightDecay, float clipNorm) {
        public static AdamW defaults() { return new AdamW(0.9f, 0.95f, 1e-8f, 0.1f, 1.0f); }
    }

    /** Bytes of stored activations per micro-batch, and what storing everything (incl. T×T attention weights) would take. */
    public record ActivationMemory(long stored, long storeEverything) {}

    private static final int PARTS = 64;

    private final LlamaConfig c;
    private final boolean tied;
    private final Device device;
    private final int batch, seqLen, nTok;
    private final List<Param> params = new ArrayList<>();
    private final FloatArray[] p, g, m, v;
    private final int[] partOffset, parts;
    private final ExecutionPlan plan;

    // parameter indices
    private final int iEmb, iOutNorm, iOut;
    private final int[] iAttnNorm, iQ, iK, iV, iO, iFfnNorm, iGate, iUp, iDown;

    private final boolean fileRopeFactors; // ropeFreqs came from the file's rope_freqs.weight (else all ones)
    private final FloatArray ropeFreqs, ropeCs, partials, hyper, logits, loss, lossPart;
    private final IntArray tokens, targets;
    // stored activations
    private final FloatArray[] xs, xMid, rstdA, rstdF, q, k, vv, att, lse, gate, up;
    private final FloatArray rstdOut;
    // scratch shared by all layers
    private final FloatArray xb, hb, dX, dXb, dAtt, dQ, dK, dV, delta, dH, dGate, dUp;

    private TrainableLlama(LlamaConfig cfg, boolean tiedOutput, Device device, int batch, int seqLen, Map<String, float[]> init) {
        if (batch < 1 || seqLen < 1) throw new IllegalArgumentException("batch and seqLen must be >= 1, got " + batch + ", " + seqLen);
        this.c = cfg;
        this.tied = tiedOutput;
        this.device = device;
        this.batch = batch;
        this.seqLen = seqLen;
        this.nTok = Math.multiplyExact(batch, seqLen);
        int dim = c.embeddingLength(), kvDim = c.kvDim(), ffn = c.feedForwardLength(), vocab = c.vocabSize(), L = c.blockCount();
        iEmb = add("token_embd.weight", dim, vocab);
        iOutNorm = add("output_norm.weight", dim);
        iOut = tied ? iEmb : add("output.weight", dim, vocab);
        iAttnNorm = new int[L]; iQ = new int[L]; iK = new int[L]; iV = new int[L]; iO = new int[L];
        iFfnNorm = new int[L]; iGate = new int[L]; iUp = new int[L]; iDown = new int[L];
        for (int l = 0; l < L; l++) {
            String b = "blk." + l + ".";
            iAttnNorm[l] = add(b + "attn_norm.weight", dim);
            iQ[l] = add(b + "attn_q.weight", dim, dim);
            iK[l] = add(b + "attn_k.weight", dim, kvDim);
            iV[l] = add(b + "attn_v.weight", dim, kvDim);
            iO[l] = add(b + "attn_output.weight", dim, dim);
            iFfnNorm[l] = add(b + "ffn_norm.weight", dim);
            iGate[l] = add(b + "ffn_gate.weight", dim, ffn);
            iUp[l] = add(b + "ffn_up.weight", dim, ffn);
            iDown[l] = add(b + "ffn_down.weight", ffn, dim);
        }
        int n = params.size();
        p = new FloatArray[n]; g = new FloatArray[n]; m = new FloatArray[n]; v = new FloatArray[n];
        partOffset = new int[n]; parts = new int[n];
        int off = 0;
        for (int i = 0; i < n; i++) {
            Param pr = params.get(i);
            float[] src = init.get(pr.name());
            if (src == null) throw new IllegalArgumentException("missing tensor " + pr.name());
            if (src.length != pr.size())
                throw new IllegalArgumentException("tensor " + pr.name() + " has " + src.length + " values, expected " + pr.size()
                        + " for shape " + java.util.Arrays.toString(pr.shape()));
            p[i] = FloatArray.of(src);
            g[i] = FloatArray.create(pr.size());   // host memory too, for readGradients
            m[i] = FloatArray.create(pr.size());
            v[i] = FloatArray.create(pr.size());
            parts[i] = (int) Math.min(PARTS, pr.size());
            partOffset[i] = off;
            off += parts[i];
        }
        partials = FloatArray.create(off);
        hyper = FloatArray.create(Optimizer.HYPER_SIZE);
        int rotDim = c.ropeDimensionCount();
        float[] rf = init.get("rope_freqs.weight");
        ropeFreqs = FloatArray.create(Math.max(1, rotDim / 2));
        ropeFreqs.fill(1f);
        if (rf != null) {
            if (rf.length != rotDim / 2) throw new IllegalArgumentException("tensor rope_freqs.weight has " + rf.length + " values, expected " + rotDim / 2);
            ropeFreqs.copyFrom(rf, 0);
        }
        fileRopeFactors = rf != null;
        ropeCs = TrainRope.table(ropeFreqs, seqLen, rotDim, c.ropeFreqBase());

        tokens = IntArray.create(nTok);
        targets = IntArray.create(nTok);
        long N = nTok;
        xs = new FloatArray[L + 1];
        for (int l = 0; l <= L; l++) xs[l] = FloatArray.deviceOnly(N * dim);
        xMid = dev(L, N * dim); rstdA = dev(L, N); rstdF = dev(L, N);
        q = dev(L, N * dim); k = dev(L, N * kvDim); vv = dev(L, N * kvDim); att = dev(L, N * dim);
        lse = dev(L, N * c.headCount()); gate = dev(L, N * ffn); up = dev(L, N * ffn);
        rstdOut = FloatArray.deviceOnly(N);
        logits = FloatArray.create(N * vocab);   // host memory only so the logits graph can read it back
        loss = FloatArray.deviceOnly(N);
        lossPart = FloatArray.create(batch);
        xb = FloatArray.deviceOnly(N * dim); hb = FloatArray.deviceOnly(N * ffn);
        dX = FloatArray.deviceOnly(N * dim); dXb = FloatArray.deviceOnly(N * dim); dAtt = FloatArray.deviceOnly(N * dim);
        dQ = FloatArray.deviceOnly(N * dim); dK = FloatArray.deviceOnly(N * kvDim); dV = FloatArray.deviceOnly(N * kvDim);
        delta = FloatArray.deviceOnly(N * c.headCount());
        dH = FloatArray.deviceOnly(N * ffn); dGate = FloatArray.deviceOnly(N * ffn); dUp = FloatArray.deviceOnly(N * ffn);

        plan = new ExecutionPlan(trainGraph().snapshot(), evalGraph().snapshot(), logitsGraph().snapshot(),
                normGraph().snapshot(), adamGraph().snapshot()).withDevice(device);
        // everything with host memory goes up once now, so reads before the first step see the initial values
        List<GaleArray> up0 = new ArrayList<>(List.of(p));
        up0.addAll(List.of(g));
        up0.addAll(List.of(m));
        up0.addAll(List.of(v));
        up0.add(ropeCs);
        plan.copyToDevice(up0.toArray(GaleArray[]::new));
    }

    private int add(String name, long... shape) {
        params.add(new Param(name, shape));
        return params.size() - 1;
    }

    private static FloatArray[] dev(int n, long len) {
        FloatArray[] a = new FloatArray[n];
        for (int i = 0; i < n; i++) a[i] = FloatArray.deviceOnly(len);
        return a;
    }

    /** Fresh model; deterministic init from seed: weights N(0, 0.02), attn_output and ffn_down N(0, 0.02/sqrt(2*layers)), norms 1. */
    public static TrainableLlama create(LlamaConfig cfg, boolean tiedOutput, Device device, int batch, int seqLen, long seed) {
        Random rnd = new Random(seed);
        Map<String, float[]> t = new LinkedHashMap<>();
        double small = 0.02 / Math.sqrt(2.0 * cfg.blockCount());
        for (Param pr : shapes(cfg, tiedOutput)) {
            float[] a = new float[Math.toIntExact(pr.size())];
            if (pr.shape().length == 1) java.util.Arrays.fill(a, 1f);
            else {
                double sd = pr.name().endsWith("attn_output.weight") || pr.name().endsWith("ffn_down.weight") ? small : 0.02;
                for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * sd);
            }
            t.put(pr.name(), a);
        }
        return new TrainableLlama(cfg, tiedOutput, device, batch, seqLen, t);
    }

    /** From F32 tensors by GGUF name (tied when there is no output.weight); missing or mis-sized tensor: IllegalArgumentException naming it. */
    public static TrainableLlama fromTensors(LlamaConfig cfg, Map<String, float[]> tensors, Device device, int batch, int seqLen) {
        return new TrainableLlama(cfg, !tensors.containsKey("output.weight"), device, batch, seqLen, tensors);
    }

    /** The parameters of a model of this shape, in GGUF order. */
    static List<Param> shapes(LlamaConfig cfg, boolean tied) {
        int dim = cfg.embeddingLength(), kvDim = cfg.kvDim(), ffn = cfg.feedForwardLength(), vocab = cfg.vocabSize();
        List<Param> l = new ArrayList<>();
        l.add(new Param("token_embd.weight", new long[]{dim, vocab}));
        l.add(new Param("output_norm.weight", new long[]{dim}));
        if (!tied) l.add(new Param("output.weight", new long[]{dim, vocab}));
        for (int b = 0; b < cfg.blockCount(); b++) {
            String s = "blk." + b + ".";
            l.add(new Param(s + "attn_norm.weight", new long[]{dim}));
            l.add(new Param(s + "attn_q.weight", new long[]{dim, dim}));
            l.add(new Param(s + "attn_k.weight", new long[]{dim, kvDim}));
            l.add(new Param(s + "attn_v.weight", new long[]{dim, kvDim}));
            l.add(new Param(s + "attn_output.weight", new long[]{dim, dim}));
            l.add(new Param(s + "ffn_norm.weight", new long[]{dim}));
            l.add(new Param(s + "ffn_gate.weight", new long[]{dim, ffn}));
            l.add(new Param(s + "ffn_up.weight", new long[]{dim, ffn}));
            l.add(new Param(s + "ffn_down.weight", new long[]{ffn, dim}));
        }
        return l;
    }

    /** Floats of stored activations per micro-batch (see {@link #activationMemory}). */
    private static long storedFloats(LlamaConfig c, int batch, int seqLen) {
        long N = (long) batch * seqLen, dim = c.embeddingLength(), kv = c.kvDim(), ffn = c.feedForwardLength(), L = c.blockCount();
        long perLayer = N * dim           // xMid (the layer's input is the previous layer's output, counted below)
                + 2 * N                    // rstd of both norms
                + N * dim + 2 * N * kv     // q, k after RoPE, v
                + N * dim + N * c.headCount() // attention output and row logsumexp
                + 2 * N * ffn;             // gate and up
        return L * perLayer + (L + 1) * N * dim + N + N * c.vocabSize() + N;  // residuals, final rstd, logits, token losses
    }

    /** Device bytes a model of this shape needs (params, grads, 2 Adam moments, activations, scratch). */
    public static long estimateDeviceBytes(LlamaConfig cfg, boolean tiedOutput, int batch, int seqLen) {
        long params = 0;
        for (Param pr : shapes(cfg, tiedOutput)) params += pr.size();
        long N = (long) batch * seqLen, dim = cfg.embeddingLength(), kv = cfg.kvDim(), ffn = cfg.feedForwardLength();
        long scratch = 5 * N * dim + 2 * N * kv + N * cfg.headCount() + 4 * N * ffn;
        long small = (long) PARTS * shapes(cfg, tiedOutput).size() + 2L * N + batch + Optimizer.HYPER_SIZE
                + cfg.ropeDimensionCount() + (long) seqLen * cfg.ropeDimensionCount();  // rope factors and cos/sin table
        return 4 * (4 * params + storedFloats(cfg, batch, seqLen) + scratch + small);
    }

    public LlamaConfig config() { return c; }
    public boolean tiedOutput() { return tied; }
    public int batch() { return batch; }
    public int seqLen() { return seqLen; }
    public Device device() { return device; }

    /** The parameters in GGUF order: token_embd, output_norm, output (unless tied), then blk.0.*, blk.1.*, … */
    public List<Param> parameters() { return List.copyOf(params); }

    public long parameterCount() {
        long n = 0;
        for (Param pr : params) n += pr.size();
        return n;
    }

    /** Bytes of stored activations per micro-batch, and what storing everything (incl. T×T attention weights) would take. */
    public ActivationMemory activationMemory() {
        long stored = storedFloats(c, batch, seqLen);
        long N = nTok, dim = c.embeddingLength(), kv = c.kvDim(), ffn = c.feedForwardLength(), L = c.blockCount();
        long tt = (long) batch * c.headCount() * seqLen * seqLen;   // one T×T matrix per sequence and head
        long extraPerLayer = 2 * N * dim     // both normalised inputs
                + N * dim + N * kv           // q and k before RoPE
                + 2 * tt                     // attention scores and softmax weights
                + 2 * N * ffn;               // silu(gate) and the SwiGLU product
        long extra = L * extraPerLayer + N * dim + N * c.vocabSize();  // final normalised input, softmax probabilities
        return new ActivationMemory(4 * stored, 4 * (stored + extra));
    }

    // ---- graphs ----

    private void forward(TaskGraph t) {
        int dim = c.embeddingLength(), kvDim = c.kvDim(), ffn = c.feedForwardLength(), hd = c.headDim();
        int nH = c.headCount(), nKv = c.headCountKv(), rot = c.ropeDimensionCount(), N = nTok;
        float eps = c.rmsNormEps(), base = c.ropeFreqBase();
        t.task("embed", Embedding::embeddingF32, xs[0], p[iEmb], tokens, N, dim);
        for (int l = 0; l < c.blockCount(); l++) {
            String s = "f" + l + "_";
            t.task(s + "attnNorm", TrainNorms::rmsNormForward, xb, rstdA[l], xs[l], p[iAttnNorm[l]], N, dim, eps);
            t.task(s + "q", TrainMatMul::matMul, q[l], xb, p[iQ[l]], N, dim, dim, 0);
            t.task(s + "k", TrainMatMul::matMul, k[l], xb, p[iK[l]], N, kvDim, dim, 0);
            t.task(s + "v", TrainMatMul::matMul, vv[l], xb, p[iV[l]], N, kvDim, dim, 0);
            t.task(s + "ropeQ", TrainRope::rope, q[l], ropeCs, N, seqLen, nH, hd, rot, 1f);
            t.task(s + "ropeK", TrainRope::rope, k[l], ropeCs, N, seqLen, nKv, hd, rot, 1f);
            t.task(s + "attn", TrainAttention::forward, att[l], lse[l], q[l], k[l], vv[l], N, seqLen, nH, nKv, hd);
            t.task(s + "res1", TrainOps::copy, xMid[l], xs[l], N * dim);
            t.task(s + "o", TrainMatMul::matMul, xMid[l], att[l], p[iO[l]], N, dim, dim, 1);
            t.task(s + "ffnNorm", TrainNorms::rmsNormForward, xb, rstdF[l], xMid[l], p[iFfnNorm[l]], N, dim, eps);
            t.task(s + "gate", TrainMatMul::matMul, gate[l], xb, p[iGate[l]], N, ffn, dim, 0);
            t.task(s + "up", TrainMatMul::matMul, up[l], xb, p[iUp[l]], N, ffn, dim, 0);
            t.task(s + "swiglu", TrainOps::swiGlu, hb, gate[l], up[l], N * ffn);
            t.task(s + "res2", TrainOps::copy, xs[l + 1], xMid[l], N * dim);
            t.task(s + "down", TrainMatMul::matMul, xs[l + 1], hb, p[iDown[l]], N, dim, ffn, 1);
        }
        t.task("outNorm", TrainNorms::rmsNormForward, xb, rstdOut, xs[c.blockCount()], p[iOutNorm], N, dim, eps);
        t.task("logits", TrainMatMul::matMul, logits, xb, p[iOut], N, c.vocabSize(), dim, 0);
    }

    private void lossTasks(TaskGraph t) {
        t.task("ce", TrainOps::crossEntropy, logits, loss, targets, nTok, c.vocabSize());
        t.task("lossSums", TrainOps::rowSums, lossPart, loss, batch, seqLen);
    }

    private TaskGraph inputs(String name) {
        List<GaleArray> weights = new ArrayList<>(List.of(p));
        weights.add(ropeCs);
        return new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, tokens, targets)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, weights.toArray(GaleArray[]::new));
    }

    private TaskGraph trainGraph() {
        TaskGraph t = inputs("train");
        forward(t);
        lossTasks(t);
        int dim = c.embeddingLength(), kvDim = c.kvDim(), ffn = c.feedForwardLength(), hd = c.headDim();
        int nH = c.headCount(), nKv = c.headCountKv(), rot = c.ropeDimensionCount(), N = nTok, L = c.blockCount();
        float eps = c.rmsNormEps(), base = c.ropeFreqBase();
        // head: logits now hold dLoss/dlogits; xb still holds the final normalised input
        t.task("dOut", TrainMatMul::matMulDw, g[iOut], logits, xb, N, c.vocabSize(), dim);
        t.task("dXn", TrainMatMul::matMulDx, dXb, logits, p[iOut], N, c.vocabSize(), dim, 0);
        t.task("dOutNorm", TrainNorms::rmsNormBackwardW, g[iOutNorm], dXb, xs[L], rstdOut, N, dim);
        t.task("dXout", TrainNorms::rmsNormBackwardX, dX, dXb, xs[L], p[iOutNorm], rstdOut, N, dim, 0);
        for (int l = L - 1; l >= 0; l--) {
            String s = "b" + l + "_";
            // feed-forward: recompute its normalised input, and the SwiGLU product with its gradient
            t.task(s + "ffnNorm", TrainNorms::rmsNormForward, xb, rstdF[l], xMid[l], p[iFfnNorm[l]], N, dim, eps);
            t.task(s + "dH", TrainMatMul::matMulDx, dH, dX, p[iDown[l]], N, dim, ffn, 0);
            t.task(s + "dSwiglu", TrainOps::swiGluWithBackward, hb, dGate, dUp, dH, gate[l], up[l], N * ffn);
            t.task(s + "dDown", TrainMatMul::matMulDw, g[iDown[l]], dX, hb, N, dim, ffn);
            t.task(s + "dGateW", TrainMatMul::matMulDw, g[iGate[l]], dGate, xb, N, ffn, dim);
            t.task(s + "dUpW", TrainMatMul::matMulDw, g[iUp[l]], dUp, xb, N, ffn, dim);
            t.task(s + "dXbGate", TrainMatMul::matMulDx, dXb, dGate, p[iGate[l]], N, ffn, dim, 0);
            t.task(s + "dXbUp", TrainMatMul::matMulDx, dXb, dUp, p[iUp[l]], N, ffn, dim, 1);
            t.task(s + "dFfnNorm", TrainNorms::rmsNormBackwardW, g[iFfnNorm[l]], dXb, xMid[l], rstdF[l], N, dim);
            t.task(s + "dXffn", TrainNorms::rmsNormBackwardX, dX, dXb, xMid[l], p[iFfnNorm[l]], rstdF[l], N, dim, 1);
            // attention
            t.task(s + "attnNorm", TrainNorms::rmsNormForward, xb, rstdA[l], xs[l], p[iAttnNorm[l]], N, dim, eps);
            t.task(s + "dO", TrainMatMul::matMulDw, g[iO[l]], dX, att[l], N, dim, dim);
            t.task(s + "dAtt", TrainMatMul::matMulDx, dAtt, dX, p[iO[l]], N, dim, dim, 0);
            t.task(s + "delta", TrainAttention::backwardDelta, delta, dAtt, att[l], N, nH, hd);
            t.task(s + "dQKV", TrainAttention::backward, dQ, dK, dV, dAtt, q[l], k[l], vv[l], lse[l], delta, N, seqLen, nH, nKv, hd);
            t.task(s + "ropeDQ", TrainRope::rope, dQ, ropeCs, N, seqLen, nH, hd, rot, -1f);
            t.task(s + "ropeDK", TrainRope::rope, dK, ropeCs, N, seqLen, nKv, hd, rot, -1f);
            t.task(s + "dQW", TrainMatMul::matMulDw, g[iQ[l]], dQ, xb, N, dim, dim);
            t.task(s + "dKW", TrainMatMul::matMulDw, g[iK[l]], dK, xb, N, kvDim, dim);
            t.task(s + "dVW", TrainMatMul::matMulDw, g[iV[l]], dV, xb, N, kvDim, dim);
            t.task(s + "dXbQ", TrainMatMul::matMulDx, dXb, dQ, p[iQ[l]], N, dim, dim, 0);
            t.task(s + "dXbK", TrainMatMul::matMulDx, dXb, dK, p[iK[l]], N, kvDim, dim, 1);
            t.task(s + "dXbV", TrainMatMul::matMulDx, dXb, dV, p[iV[l]], N, kvDim, dim, 1);
            t.task(s + "dAttnNorm", TrainNorms::rmsNormBackwardW, g[iAttnNorm[l]], dXb, xs[l], rstdA[l], N, dim);
            t.task(s + "dXattn", TrainNorms::rmsNormBackwardX, dX, dXb, xs[l], p[iAttnNorm[l]], rstdA[l], N, dim, 1);
        }
        t.task("dEmbed", TrainOps::embeddingBackward, g[iEmb], dX, tokens, N, dim);
        return t.transferToHost(DataTransferMode.EVERY_EXECUTION, lossPart);
    }

    private TaskGraph evalGraph() {
        TaskGraph t = inputs("eval");
        forward(t);
        lossTasks(t);
        return t.transferToHost(DataTransferMode.EVERY_EXECUTION, lossPart);
    }

    private TaskGraph logitsGraph() {
        TaskGraph t = inputs("logitsOnly");
        forward(t);
        return t.transferToHost(DataTransferMode.EVERY_EXECUTION, logits);
    }

    private TaskGraph normGraph() {
        TaskGraph t = new TaskGraph("norm");
        for (int i = 0; i < params.size(); i++)
            t.task("ss" + i, Optimizer::sumSquares, partials, g[i], (int) params.get(i).size(), parts[i], partOffset[i]);
        return t.transferToHost(DataTransferMode.EVERY_EXECUTION, partials);
    }

    private TaskGraph adamGraph() {
        TaskGraph t = new TaskGraph("adam").transferToDevice(DataTransferMode.EVERY_EXECUTION, hyper);
        for (int i = 0; i < params.size(); i++)
            t.task("adam" + i, Optimizer::adamW, p[i], g[i], m[i], v[i], hyper, (int) params.get(i).size(),
                    params.get(i).shape().length == 2 ? 1 : 0);
        return t;
    }

    // ---- steps ----

    private long upload(int[] toks, int[] tgts) {
        if (toks.length != nTok || tgts.length != nTok)
            throw new IllegalArgumentException("expected " + nTok + " tokens and targets (batch " + batch + " × seqLen " + seqLen
                    + "), got " + toks.length + " and " + tgts.length);
        long count = 0;
        for (int i = 0; i < nTok; i++) {
            if (toks[i] < 0 || toks[i] >= c.vocabSize())
                throw new IllegalArgumentException("token " + toks[i] + " at " + i + " is outside the vocabulary (size " + c.vocabSize() + ")");
            if (tgts[i] < -1 || tgts[i] >= c.vocabSize())
                throw new IllegalArgumentException("target " + tgts[i] + " at " + i + " is outside the vocabulary (size " + c.vocabSize() + ", -1 = none)");
            tokens.set(i, toks[i]);
            targets.set(i, tgts[i]);
            if (tgts[i] >= 0) count++;
        }
        return count;
    }

    private Loss lossOf(long count) {
        double s = 0;
        for (int b = 0; b < batch; b++) s += lossPart.get(b);
        return new Loss(s, count);
    }

    /** Forward+backward on one micro-batch; adds d(sum of token losses)/dθ into the gradient buffers. */
    public Loss forwardBackward(int[] tokens, int[] targets) {
        long n = upload(tokens, targets);
        plan.execute("train");
        return lossOf(n);
    }

    /** Loss only, no gradients touched. */
    public Loss evaluate(int[] tokens, int[] targets) {
        long n = upload(tokens, targets);
        plan.execute("eval");
        return lossOf(n);
    }

    /**
     * Logits (vocab) at {@code position} of each sequence, for sampling during training: [batch][vocab].
     * Runs the forward pass only.
     */
    public float[][] logitsAt(int[] tokens, int position) {
        if (position < 0 || position >= seqLen) throw new IllegalArgumentException("position " + position + " outside 0.." + (seqLen - 1));
        int[] none = new int[nTok];
        java.util.Arrays.fill(none, -1);
        upload(tokens, none);
        plan.execute("logitsOnly");
        int vocab = c.vocabSize();
        float[][] out = new float[batch][vocab];
        for (int b = 0; b < batch; b++) {
            long base = ((long) b * seqLen + position) * vocab;
            for (int j = 0; j < vocab; j++) out[b][j] = logits.get(base + j);
        }
        return out;
    }

    /** Logits of the last position of each sequence ({@code logitsAt(tokens, seqLen − 1)}): [batch][vocab]. */
    public float[][] lastLogits(int[] tokens) { return logitsAt(tokens, seqLen - 1); }

    /**
     * Scales gradients by gradScale, clips to global norm hyper.clipNorm (≤ 0: none), AdamW step t (1-based) with
     * learning rate lr, weight decay only on 2-D weights, then zeroes gradients. Returns the global gradient norm
     * after scaling, before clipping.
     */
    public float optimizerStep(AdamW h, float lr, int t, float gradScale) {
        if (t < 1) throw new IllegalArgumentException("step t must be >= 1, got " + t);
        plan.execute("norm");
        double ss = 0;
        for (int i = 0; i < partials.length(); i++) ss += partials.get(i);
        double norm = Math.abs(gradScale) * Math.sqrt(ss);
        double coef = h.clipNorm() > 0 && norm > h.clipNorm() ? h.clipNorm() / (norm + 1e-6) : 1.0;
        hyper.set(Optimizer.LR, lr);
        hyper.set(Optimizer.BETA1, h.beta1());
        hyper.set(Optimizer.BETA2, h.beta2());
        hyper.set(Optimizer.EPS, h.eps());
        hyper.set(Optimizer.WEIGHT_DECAY, h.weightDecay());
        hyper.set(Optimizer.BIAS1, (float) (1 - Math.pow(h.beta1(), t)));
        hyper.set(Optimizer.BIAS2, (float) (1 - Math.pow(h.beta2(), t)));
        hyper.set(Optimizer.GRAD_MUL, (float) (gradScale * coef));
        plan.execute("adam");
        return (float) norm;
    }

    /** The model's fixed (untrained) RoPE frequency factors, {@code rope_freqs.weight}, when it was loaded with them. */
    public java.util.Optional<float[]> ropeFrequencyFactors() {
        return fileRopeFactors ? java.util.Optional.of(ropeFreqs.toArray()) : java.util.Optional.empty();
    }

    /** The parameters by GGUF name (fresh arrays), in GGUF order. */
    public Map<String, float[]> readParameters() {
        plan.copyToHost(p);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) out.put(params.get(i).name(), p[i].toArray());
        return out;
    }

    /** Replaces parameters named in {@code values} (each must have its parameter's size). */
    public void writeParameters(Map<String, float[]> values) {
        writeInto(values, "", p);
    }

    /** The accumulated gradients by GGUF name (fresh arrays): for tests and debugging; costs a download. */
    public Map<String, float[]> readGradients() {
        plan.copyToHost(g);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) out.put(params.get(i).name(), g[i].toArray());
        return out;
    }

    /** Adam moments: keys "m/&lt;name&gt;" and "v/&lt;name&gt;". */
    public Map<String, float[]> readOptimizerState() {
        plan.copyToHost(m);
        plan.copyToHost(v);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) out.put("m/" + params.get(i).name(), m[i].toArray());
        for (int i = 0; i < params.size(); i++) out.put("v/" + params.get(i).name(), v[i].toArray());
        return out;
    }

    /** Replaces the Adam moments named in {@code state} (keys as {@link #readOptimizerState}). */
    public void writeOptimizerState(Map<String, float[]> state) {
        writeInto(state, "m/", m);
        writeInto(state, "v/", v);
    }

    private void writeInto(Map<String, float[]> values, String prefix, FloatArray[] dst) {
        for (var e : values.entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            String name = e.getKey().substring(prefix.length());
            int i = indexOf(name);
            if (i < 0) {
                if (prefix.isEmpty()) throw new IllegalArgumentException("no parameter " + name);
                continue;
            }
            if (e.getValue().length != params.get(i).size())
                throw new IllegalArgumentException("tensor " + e.getKey() + " has " + e.getValue().length + " values, expected " + params.get(i).size());
            dst[i].copyFrom(e.getValue(), 0);
            plan.copyToDevice(dst[i]);
        }
    }

    private int indexOf(String name) {
        for (int i = 0; i < params.size(); i++) if (params.get(i).name().equals(name)) return i;
        return -1;
    }

    /** Turns per-task profiling on or off. */
    public void profiling(boolean on) { plan.withProfiler(on); }

    /** The plan's profile (per-task kernel time, bytes moved). */
    public gale.compute.ProfileReport profile() { return plan.profile(); }

    @Override public void close() { plan.close(); }
}
