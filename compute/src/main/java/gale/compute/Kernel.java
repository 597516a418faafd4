// Marks a static method as a Gale kernel: the translator turns it into OpenCL C, CUDA C and a JVM range runner.
package gale.compute;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A kernel: a {@code static void} method in the kernel language ({@code compute/KERNELS.md}). The annotation processor
 * in {@code gale.compute.translate} checks it and generates, in {@code <Class>_GaleKernels}, its OpenCL C and CUDA C
 * and the Java code the {@code jvm} backend runs. A construct outside the language is a compile error.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Kernel {
    /**
     * The kernel the {@code jvm} backend runs instead of this one: the name of another kernel in the same class
     * with the same parameters (without the {@link KernelContext}). Required for kernels that use barriers or
     * local memory, which cannot run as plain Java; optional for a hand-tuned (e.g. Vector API) twin. The
     * conformance suite proves the two agree.
     */
    String jvm() default "";

    /** True for a JVM-only kernel (a Vector API twin): no OpenCL C or CUDA C is generated for it. */
    boolean jvmOnly() default false;
}
