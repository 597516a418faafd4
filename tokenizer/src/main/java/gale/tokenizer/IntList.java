// A growable int array: the pre-tokenizers and encoders produce ids and lengths without boxing.
package gale.tokenizer;

import java.util.Arrays;

/** Not thread-safe; each encode call uses its own. */
final class IntList {
    int[] a;
    int size;

    IntList(int capacity) { a = new int[Math.max(4, capacity)]; }

    void add(int v) {
        if (size == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[size++] = v;
    }

    int get(int i) { return a[i]; }

    void clear() { size = 0; }

    int[] toArray() { return Arrays.copyOf(a, size); }
}
