// Serializable functional interfaces that let task(...) take a kernel as a method reference, as in TornadoVM.
package gale.compute;

import java.io.Serializable;

/**
 * {@code TaskGraph.task(name, Kernels::method, args...)} takes one of these; being Serializable lets the runtime
 * recover which static method the reference names (via its SerializedLambda) and find the translated kernel.
 */
public final class Tasks {
    private Tasks() {}

    @FunctionalInterface public interface T1<A> extends Serializable { void apply(A a0); }
    @FunctionalInterface public interface T2<A, B> extends Serializable { void apply(A a0, B b1); }
    @FunctionalInterface public interface T3<A, B, C> extends Serializable { void apply(A a0, B b1, C c2); }
    @FunctionalInterface public interface T4<A, B, C, D> extends Serializable { void apply(A a0, B b1, C c2, D d3); }
    @FunctionalInterface public interface T5<A, B, C, D, E> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4); }
    @FunctionalInterface public interface T6<A, B, C, D, E, F> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5); }
    @FunctionalInterface public interface T7<A, B, C, D, E, F, G> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6); }
    @FunctionalInterface public interface T8<A, B, C, D, E, F, G, H> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7); }
    @FunctionalInterface public interface T9<A, B, C, D, E, F, G, H, I> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8); }
    @FunctionalInterface public interface T10<A, B, C, D, E, F, G, H, I, J> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9); }
    @FunctionalInterface public interface T11<A, B, C, D, E, F, G, H, I, J, K> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10); }
    @FunctionalInterface public interface T12<A, B, C, D, E, F, G, H, I, J, K, L> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11); }
    @FunctionalInterface public interface T13<A, B, C, D, E, F, G, H, I, J, K, L, M> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11, M m12); }
    @FunctionalInterface public interface T14<A, B, C, D, E, F, G, H, I, J, K, L, M, N> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11, M m12, N n13); }
    @FunctionalInterface public interface T15<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11, M m12, N n13, O o14); }
    @FunctionalInterface public interface T16<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P> extends Serializable { void apply(A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11, M m12, N n13, O o14, P p15); }
}
