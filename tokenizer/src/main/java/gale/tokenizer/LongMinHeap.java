// A 4-ary min-heap of long keys: the byte-level BPE merge queue. Keys carry everything (rank, position), and the
// shallower 4-ary layout halves the cache misses of sifting on megabyte-long pre-tokens.
package gale.tokenizer;

import java.util.Arrays;

/** Not thread-safe; each encode call uses its own. */
final class LongMinHeap {
    private long[] a = new long[64];
    private int size;

    boolean isEmpty() { return size == 0; }

    void clear() { size = 0; }

    void push(long key) {
        if (size == a.length) a = Arrays.copyOf(a, size * 2);
        int i = size++;
        while (i > 0) {
            int p = (i - 1) >>> 2;
            if (a[p] <= key) break;
            a[i] = a[p];
            i = p;
        }
        a[i] = key;
    }

    long pop() {
        long top = a[0];
        long last = a[--size];
        int i = 0;
        while (true) {
            int c = 4 * i + 1;
            if (c >= size) break;
            int end = Math.min(c + 4, size), m = c;
            long mv = a[c];
            for (int k = c + 1; k < end; k++) if (a[k] < mv) { mv = a[k]; m = k; }
            if (mv >= last) break;
            a[i] = mv;
            i = m;
        }
        a[i] = last;
        return top;
    }
}
