// Finds the translated kernel behind a method reference, through the generated <Class>_GaleKernels libraries.
package gale.compute;

import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelLibrary;

import java.io.Serializable;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Looks up translated kernels. Thread-safe; results are cached. */
public final class KernelRegistry {
    /** Suffix of the class the translator generates beside each class with kernels. */
    public static final String LIBRARY_SUFFIX = "_GaleKernels";

    private static final Map<Class<?>, KernelInfo> BY_LAMBDA_CLASS = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, KernelInfo>> BY_OWNER = new ConcurrentHashMap<>();

    private KernelRegistry() {}

    /** The kernel a method reference ({@code Kernels::matVec}) names. */
    static KernelInfo forMethodReference(String task, Serializable reference) {
        return BY_LAMBDA_CLASS.computeIfAbsent(reference.getClass(), c -> resolve(task, reference));
    }

    private static KernelInfo resolve(String task, Serializable reference) {
        SerializedLambda lambda;
        try {
            Method writeReplace = reference.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            lambda = (SerializedLambda) writeReplace.invoke(reference);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ComputeException("task '" + task + "': cannot tell which kernel " + reference.getClass().getName()
                    + " refers to; pass a method reference such as Kernels::matVec", e);
        }
        if (lambda.getImplMethodKind() != MethodHandleInfo.REF_invokeStatic || lambda.getImplMethodName().startsWith("lambda$"))
            throw new ComputeException("task '" + task + "': pass a method reference to a static @Kernel method "
                    + "(Kernels::matVec), not a lambda or an instance method (got " + lambda.getImplMethodName() + ")");
        String owner = lambda.getImplClass().replace('/', '.');
        return find(owner, lambda.getImplMethodName(), reference.getClass().getClassLoader());
    }

    /** The kernel {@code method} of class {@code owner} (binary name). */
    public static KernelInfo find(String owner, String method, ClassLoader loader) {
        Map<String, KernelInfo> kernels = BY_OWNER.computeIfAbsent(owner, o -> load(o, loader));
        KernelInfo k = kernels.get(method);
        if (k == null)
            throw new ComputeException(simple(owner) + "." + method + " is not a translated kernel: annotate it with @Kernel"
                    + " (translated kernels of " + simple(owner) + ": " + kernels.keySet() + ")");
        return k;
    }

    /** All kernels of a class. */
    public static List<KernelInfo> kernelsOf(Class<?> owner) {
        return List.copyOf(BY_OWNER.computeIfAbsent(owner.getName(), o -> load(o, owner.getClassLoader())).values());
    }

    private static Map<String, KernelInfo> load(String owner, ClassLoader loader) {
        String lib = owner + LIBRARY_SUFFIX;
        try {
            Class<?> c = Class.forName(lib, true, loader == null ? KernelRegistry.class.getClassLoader() : loader);
            KernelLibrary library = (KernelLibrary) c.getDeclaredConstructor().newInstance();
            Map<String, KernelInfo> map = new HashMap<>();
            for (KernelInfo k : library.kernels()) map.put(k.name(), k);
            return map;
        } catch (ClassNotFoundException e) {
            throw new ComputeException("no translated kernels for " + owner + " (" + lib + " not found): compile it with"
                    + " Gale's annotation processor gale.compute.translate.KernelProcessor and mark kernels @Kernel", e);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new ComputeException("cannot load " + lib, e);
        }
    }

    private static String simple(String owner) { return owner.substring(owner.lastIndexOf('.') + 1); }
}
