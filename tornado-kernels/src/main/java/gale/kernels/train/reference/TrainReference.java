// Double-precision plain-Java twins of the training kernels' forward maths and of AdamW: the oracles the tests
// differentiate numerically (central differences) to check every backward kernel.
package gale.kernels.train.reference;

/** Reference maths in doubles; arrays row-major with the kernels' layouts. Never deleted (see DEVELOPERS.md). */
public final class TrainReference {
    private TrainReference() {}

    /** y[t, r] = Σ_c x[t, c]·w[r, c]. */
    public static double[] matMul(double[] x, double[] w, int nTok, int rows, int cols) {
        double[] y = new double[nTok * rows];
        for (int t = 0; t < nTok; t++)
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int c = 0; c < cols; c++) s += x[t * cols + c] * w[r * cols + c];
                y[t * rows + r] = s;
            }
        return y;
    }

    /** RMSNorm rows of x. */
    public static double[] rmsNorm(double[] x, double[] w, int rows, int n, double eps) {
        double[] y = new double[rows * n];
        for (int t = 0; t < rows; t++) {
            double ss = 0;
            for (int i = 0; i < n; i++) ss += x[t * n + i] * x[t * n + i];
            double r = 1 / Math.sqrt(ss / n + eps);
            for (int i = 0; i < n; i++) y[t * n + i] = x[t * n + i] * r * w[i];
        }
        return y;
    }

    /** RoPE (adjacent pairs, position t mod seqLen, freq factors 1) by sign·θ. */
    public static double[] rope(double[] x, int nTok, int seqLen, int nHeads, int headDim, int rotDim, double base, double sign) {
        double[] y = x.clone();
        for (int t = 0; t < nTok; t++)
            for (int h = 0; h < nHeads; h++)
                for (int i = 0; i < rotDim; i += 2) {
                    double theta = (t % seqLen) * Math.pow(base, -(double) i / rotDim);
                    double c = Math.cos(theta), s = sign * Math.sin(theta);
                    int j = (t * nHeads + h) * headDim + i;
                    y[j] = x[j] * c - x[j + 1] * s;
                    y[j + 1] = x[j] * s + x[j + 1] * c;
                }
        return y;
    }

    /** Causal GQA attention per sequence of seqLen tokens, materialising every weight. */
    public static double[] attention(double[] q, double[] k, double[] v, int nTok, int seqLen, int nHead, int nKv, int hd) {
        double[] out = new double[nTok * nHead * hd];
        double scale = 1 / Math.sqrt(hd);
        for (int i = 0; i < nTok; i++) {
            int first = i - i % seqLen;
            for (int h = 0; h < nHead; h++) {
                int g = h / (nHead / nKv);
                double[] w = new double[i - first + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int s = first; s <= i; s++) {
                    double d = 0;
                    for (int e = 0; e < hd; e++) d += q[(i * nHead + h) * hd + e] * k[(s * nKv + g) * hd + e];
                    w[s - first] = d * scale;
                    max = Math.max(max, w[s - first]);
                }
                for (int j = 0; j < w.length; j++) sum += w[j] = Math.exp(w[j] - max);
                for (int s = first; s <= i; s++)
                    for (int e = 0; e < hd; e++) out[(i * nHead + h) * hd + e] += w[s - first] / sum * v[(s * nKv + g) * hd + e];
            }
        }
        return out;
    }

    /** silu(g)·u elementwise. */
    public static double[] swiGlu(double[] g, double[] u) {
        double[] h = new double[g.length];
        for (int i = 0; i < g.length; i++) h[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        return h;
    }

    /** Σ over rows with target ≥ 0 of logsumexp(row) − row[target]. */
    public static double crossEntropy(double[] logits, int[] targets, int vocab) {
        double loss = 0;
        for (int t = 0; t < targets.length; t++) {
            if (targets[t] < 0) continue;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < vocab; j++) max = Math.max(max, logits[t * vocab + j]);
            for (int j = 0; j < vocab; j++) sum += Math.exp(logits[t * vocab + j] - max);
            loss += max + Math.log(sum) - logits[t * vocab + targets[t]];
        }
        return loss;
    }

    /** Rows table[tokens[t]]. */
    public static double[] embedding(double[] table, int[] tokens, int dim) {
        double[] y = new double[tokens.length * dim];
        for (int t = 0; t < tokens.length; t++) System.arraycopy(table, tokens[t] * dim, y, t * dim, dim);
        return y;
    }

    /** One AdamW update of p, m, v in place (PyTorch order); gr = g·gradMul. */
    public static void adamW(double[] p, double[] g, double[] m, double[] v, double lr, double b1, double b2, double eps,
                             double wd, int t, double gradMul, boolean decay) {
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        for (int i = 0; i < p.length; i++) {
            double gr = g[i] * gradMul;
            if (decay) p[i] *= 1 - lr * wd;
            m[i] = b1 * m[i] + (1 - b1) * gr;
            v[i] = b2 * v[i] + (1 - b2) * gr * gr;
            p[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
        }
    }
}
