// The oracle for the Llama forward pass: plain Java, double accumulation, no kernels, no task graphs.
package gale.engine.reference;

import java.util.function.Function;

/**
 * A Llama forward pass written from llama.cpp's conventions alone (RMSNorm, RoPE on adjacent pairs with optional
 * per-frequency factors, grouped-query attention, SwiGLU, tied or separate output), one token at a time with a
 * KV cache. Weights are dequantised float matrices in GGUF order: a [out, in] weight is row-major with {@code in}
 * contiguous. Accumulates in double. Not thread-safe.
 */
public final class ReferenceLlama {
    /** Hyperparameters, all from the file. */
    public record Config(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int contextLength,
                         float eps, float ropeBase, int ropeDims) {
        int headDim() { return dim / heads; }
        int kvDim() { return kvHeads * headDim(); }
    }

    private final Config c;
    private final float[] embd, outNorm, out, ropeFactors;
    private final float[][] attnNorm, wq, wk, wv, wo, ffnNorm, w1, w2, w3;
    private final double[][][] keys, values; // (layers, seq, kvDim)
    private int pos;

    /** {@code weights} maps GGUF tensor names to dequantised data; "output.weight" absent means tied embeddings. */
    public ReferenceLlama(Config c, Function<String, float[]> weights) {
        this.c = c;
        embd = weights.apply("token_embd.weight");
        outNorm = weights.apply("output_norm.weight");
        float[] o = weights.apply("output.weight");
        out = o != null ? o : embd;
        ropeFactors = weights.apply("rope_freqs.weight");
        attnNorm = new float[c.layers][]; wq = new float[c.layers][]; wk = new float[c.layers][]; wv = new float[c.layers][];
        wo = new float[c.layers][]; ffnNorm = new float[c.layers][]; w1 = new float[c.layers][]; w2 = new float[c.layers][]; w3 = new float[c.layers][];
        for (int l = 0; l < c.layers; l++) {
            String p = "blk." + l + ".";
            attnNorm[l] = weights.apply(p + "attn_norm.weight");
            wq[l] = weights.apply(p + "attn_q.weight");
            wk[l] = weights.apply(p + "attn_k.weight");
            wv[l] = weights.apply(p + "attn_v.weight");
            wo[l] = weights.apply(p + "attn_output.weight");
            ffnNorm[l] = weights.apply(p + "ffn_norm.weight");
            w1[l] = weights.apply(p + "ffn_gate.weight");
            w2[l] = weights.apply(p + "ffn_down.weight");
            w3[l] = weights.apply(p + "ffn_up.weight");
        }
        keys = new double[c.layers][c.contextLength][];
        values = new double[c.layers][c.contextLength][];
    }

    public int position() { return pos; }

    /** Runs one token at the next position; returns the logits. */
    public double[] forward(int token) {
        if (pos >= c.contextLength) throw new IllegalStateException("context full: " + c.contextLength);
        int dim = c.dim, hd = c.headDim(), kvDim = c.kvDim();
        double[] x = new double[dim];
        for (int i = 0; i < dim; i++) x[i] = embd[token * dim + i];
        for (int l = 0; l < c.layers; l++) {
            double[] xb = rmsNorm(x, attnNorm[l]);
            double[] q = matVec(wq[l], xb, dim), k = matVec(wk[l], xb, kvDim), v = matVec(wv[l], xb, kvDim);
            rope(q, c.heads);
            rope(k, c.kvHeads);
            keys[l][pos] = k;
            values[l][pos] = v;
            double[] att = new double[dim];
            int group = c.heads / c.kvHeads;
            for (int h = 0; h < c.heads; h++) {
                int kvh = h / group;
                double[] scores = new double[pos + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= pos; t++) {
                    double s = 0;
                    for (int i = 0; i < hd; i++) s += q[h * hd + i] * keys[l][t][kvh * hd + i];
                    scores[t] = s / Math.sqrt(hd);
                    max = Math.max(max, scores[t]);
                }
                double sum = 0;
                for (int t = 0; t <= pos; t++) sum += scores[t] = Math.exp(scores[t] - max);
                for (int t = 0; t <= pos; t++)
                    for (int i = 0; i < hd; i++) att[h * hd + i] += scores[t] / sum * values[l][t][kvh * hd + i];
            }
            double[] ao = matVec(wo[l], att, dim);
            for (int i = 0; i < dim; i++) x[i] += ao[i];
            xb = rmsNorm(x, ffnNorm[l]);
            double[] g = matVec(w1[l], xb, c.ffn), u = matVec(w3[l], xb, c.ffn);
            for (int i = 0; i < c.ffn; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
            double[] d = matVec(w2[l], g, dim);
            for (int i = 0; i < dim; i++) x[i] += d[i];
        }
        double[] xf = rmsNorm(x, outNorm);
        pos++;
        return matVec(out, xf, c.vocab);
    }

    private double[] rmsNorm(double[] x, float[] w) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double s = 1 / Math.sqrt(ss / x.length + c.eps);
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) o[i] = x[i] * s * w[i];
        return o;
    }

    private static double[] matVec(float[] w, double[] x, int rows) {
        int cols = x.length;
        double[] o = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < cols; j++) s += (double) w[r * cols + j] * x[j];
            o[r] = s;
        }
        return o;
    }

    /** llama.cpp's "normal" RoPE: adjacent pairs (2i, 2i+1) of each head, θ = pos·base^(−2i/ropeDims)/factor[i]. */
    private void rope(double[] v, int nHeads) {
        int hd = c.headDim();
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < c.ropeDims / 2; i++) {
                double freq = Math.pow(c.ropeBase, -2.0 * i / c.ropeDims);
                if (ropeFactors != null) freq /= ropeFactors[i];
                double theta = pos * freq, cos = Math.cos(theta), sin = Math.sin(theta);
                int a = h * hd + 2 * i;
                double x0 = v[a], x1 = v[a + 1];
                v[a] = x0 * cos - x1 * sin;
                v[a + 1] = x0 * sin + x1 * cos;
            }
        }
    }
}
