// The annotation processor: for each class with @Kernel methods, checks them and generates <Class>_GaleKernels.
package gale.compute.translate;

import com.sun.source.tree.ImportTree;
import gale.compute.spi.KernelParam;

import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates every {@code @Kernel} method of the compilation (see {@code compute/KERNELS.md}). For a class
 * {@code p.Outer$Inner} it writes {@code p.Outer$Inner_GaleKernels}, a {@link gale.compute.spi.KernelLibrary} with one
 * {@link gale.compute.spi.KernelInfo} per kernel: OpenCL C, CUDA C, parameters, grid function, features and the jvm
 * runner. A construct outside the kernel language is a javac error at its file:line, and the class gets no library.
 * javac runs a processor on one thread; instances are not thread-safe.
 */
@SupportedAnnotationTypes("gale.compute.Kernel")
public final class KernelProcessor extends AbstractProcessor {
    @Override public SourceVersion getSupportedSourceVersion() { return SourceVersion.latestSupported(); }

    /** Binary names of the libraries generated so far in this compilation, across rounds, for the services file. */
    private final java.util.Set<String> libraries = new java.util.TreeSet<>();
    private boolean servicesWritten;

    /** The services file that lists a compilation's libraries ({@code gale kernels dump} enumerates them with ServiceLoader). */
    public static final String SERVICES_FILE = "META-INF/services/gale.compute.spi.KernelLibrary";

    @Override public boolean process(java.util.Set<? extends TypeElement> annotations, RoundEnvironment round) {
        if (round.processingOver()) {
            writeServices();
            return false;
        }
        TypeElement kernelAnn = processingEnv.getElementUtils().getTypeElement("gale.compute.Kernel");
        if (kernelAnn == null || annotations.isEmpty()) return false;
        Ctx c = new Ctx(processingEnv);
        Map<TypeElement, List<ExecutableElement>> byOwner = new LinkedHashMap<>();
        for (Element e : round.getElementsAnnotatedWith(kernelAnn)) {
            if (e.getKind() != ElementKind.METHOD) {
                processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "Gale: @Kernel belongs on static methods", e);
                continue;
            }
            byOwner.computeIfAbsent((TypeElement) e.getEnclosingElement(), o -> new ArrayList<>()).add((ExecutableElement) e);
        }
        for (var entry : byOwner.entrySet()) {
            try {
                translateClass(c, entry.getKey(), entry.getValue());
            } catch (RuntimeException ex) {
                // A translator bug must not pass for a user error, nor vanish: report it with the class it hit.
                processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "Gale: internal translator error on "
                        + entry.getKey() + ": " + ex + " at " + (ex.getStackTrace().length > 0 ? ex.getStackTrace()[0] : "?"), entry.getKey());
            }
        }
        return true;
    }

    private void translateClass(Ctx c, TypeElement owner, List<ExecutableElement> methods) {
        int errorsBefore = c.errors;
        if (owner.getNestingKind() == NestingKind.LOCAL || owner.getNestingKind() == NestingKind.ANONYMOUS) {
            c.error(owner.getSimpleName().toString(), c.trees.getTree(owner), c.trees.getPath(owner).getCompilationUnit(),
                    "kernels must be declared in a top-level or member class, not a local or anonymous one");
            return;
        }
        Map<String, KernelUnit> units = new LinkedHashMap<>();
        for (ExecutableElement m : methods) {
            AnnotationMirror am = kernelMirror(m);
            boolean jvmOnly = Boolean.TRUE.equals(value(am, "jvmOnly"));
            String twin = value(am, "jvm") instanceof String s ? s : "";
            KernelUnit u = new KernelUnit(c, m, owner, jvmOnly, twin);
            if (units.containsKey(u.name)) {
                u.error(u.tree, "two @Kernel methods named '" + u.name + "' in " + owner.getSimpleName() + ": kernels are found by name, so overloads are not allowed");
                continue;
            }
            units.put(u.name, u);
            u.analyze();
        }
        if (c.errors > errorsBefore) return;
        CEmitter.Names names = new CEmitter.Names();
        for (KernelUnit u : units.values()) {
            if (u.jvmOnly) {
                boolean half = u.params.stream().anyMatch(p -> p.kind() == KernelParam.Kind.HALF_ARRAY);
                boolean int8 = u.params.stream().anyMatch(p -> p.kind() == KernelParam.Kind.BYTE_ARRAY);
                u.features = new gale.compute.spi.KernelInfo.Features(false, false, 0, false, half, int8);
                continue;
            }
            CEmitter ocl = new CEmitter(c, Dialect.OPENCL, u, names, true);
            u.opencl = ocl.translate();
            u.features = ocl.features();
            u.cuda = new CEmitter(c, Dialect.CUDA, u, names, false).translate();
        }
        for (KernelUnit u : units.values()) checkTwin(u, units);
        Map<String, JavaEmitter> java = new HashMap<>();
        for (KernelUnit u : units.values()) if (!u.usesContext()) java.put(u.name, new JavaEmitter(c, u));
        if (c.errors > errorsBefore) return;
        write(c, owner, units, java);
    }

    private void checkTwin(KernelUnit u, Map<String, KernelUnit> units) {
        if (u.jvmTwin.isEmpty()) return;
        KernelUnit t = units.get(u.jvmTwin);
        String at = "@Kernel(jvm = \"" + u.jvmTwin + "\")";
        if (u.jvmOnly) { u.error(u.tree, at + ": a jvmOnly kernel is itself the jvm code and takes no jvm twin"); return; }
        if (t == null) { u.error(u.tree, at + ": no @Kernel method '" + u.jvmTwin + "' in " + u.owner.getSimpleName() + " to run on the jvm backend"); return; }
        if (t == u) { u.error(u.tree, at + ": a kernel cannot be its own jvm twin"); return; }
        if (t.usesContext()) { u.error(u.tree, at + ": the jvm twin must be a @Parallel kernel (it runs as plain Java loops)"); return; }
        if (!t.jvmTwin.isEmpty()) { u.error(u.tree, at + ": the jvm twin '" + t.name + "' has a jvm twin of its own"); return; }
        List<KernelParam.Kind> mine = new ArrayList<>(), theirs = new ArrayList<>();
        for (KernelParam p : u.params) if (p.kind() != KernelParam.Kind.CONTEXT) mine.add(p.kind());
        for (KernelParam p : t.params) theirs.add(p.kind());
        if (!mine.equals(theirs))
            u.error(u.tree, at + ": the twin's parameters " + theirs + " differ from this kernel's " + mine + " (without the KernelContext)");
    }

    private static AnnotationMirror kernelMirror(ExecutableElement m) {
        for (AnnotationMirror am : m.getAnnotationMirrors())
            if (((TypeElement) am.getAnnotationType().asElement()).getQualifiedName().contentEquals("gale.compute.Kernel")) return am;
        throw new IllegalStateException("no @Kernel on " + m);
    }

    private static Object value(AnnotationMirror am, String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : am.getElementValues().entrySet())
            if (e.getKey().getSimpleName().contentEquals(name)) return e.getValue().getValue();
        return null;
    }

    // ---------------------------------------------------------------- the generated class

    private void write(Ctx c, TypeElement owner, Map<String, KernelUnit> units, Map<String, JavaEmitter> java) {
        String pkg = c.elements.getPackageOf(owner).getQualifiedName().toString();
        String simple = CEmitter.binarySimple(owner) + "_GaleKernels";
        String ownerRef = owner.getQualifiedName().toString();
        var cu = c.trees.getPath(owner).getCompilationUnit();
        StringBuilder b = new StringBuilder();
        b.append("// Generated by gale.compute.translate.KernelProcessor from ").append(cu.getSourceFile().getName().replaceAll(".*[/\\\\]", ""))
                .append(": the translated kernels of ").append(owner.getSimpleName()).append(". Do not edit.\n");
        if (!pkg.isEmpty()) b.append("package ").append(pkg).append(";\n\n");
        // The kernels' own imports, so the re-emitted Java bodies resolve names as they did in the original.
        for (ImportTree it : cu.getImports()) {
            long s = c.positions.getStartPosition(cu, it), e = c.positions.getEndPosition(cu, it);
            try {
                b.append(cu.getSourceFile().getCharContent(true), (int) s, (int) e).append('\n');
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
        b.append("\n/** Translated kernels of {@link ").append(ownerRef).append("}; immutable, thread-safe. */\n");
        b.append("@SuppressWarnings(\"all\")\n");
        b.append("public final class ").append(simple).append(" implements gale.compute.spi.KernelLibrary {\n");
        b.append("    public ").append(simple).append("() {}\n\n");
        b.append("    @Override public java.util.List<gale.compute.spi.KernelInfo> kernels() {\n        return java.util.List.of(");
        boolean first = true;
        for (KernelUnit u : units.values()) { b.append(first ? "" : ", ").append(u.name).append("$info()"); first = false; }
        b.append(");\n    }\n");
        for (KernelUnit u : units.values()) kernel(b, u, units, java.get(u.name), ownerRef);
        b.append("}\n");
        try {
            JavaFileObject f = processingEnv.getFiler().createSourceFile(pkg.isEmpty() ? simple : pkg + "." + simple, owner);
            try (Writer w = f.openWriter()) { w.write(b.toString()); }
            libraries.add(pkg.isEmpty() ? simple : pkg + "." + simple);
        } catch (IOException ex) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "Gale: cannot write " + simple + ": " + ex, owner);
        }
    }

    /**
     * Writes {@link #SERVICES_FILE} once, in the last round, listing every library of this compilation. Each jar gets
     * its own file (one per module's compilation); ServiceLoader merges them across the class path.
     */
    private void writeServices() {
        if (servicesWritten || libraries.isEmpty()) return;
        servicesWritten = true;
        try {
            javax.tools.FileObject f = processingEnv.getFiler().createResource(javax.tools.StandardLocation.CLASS_OUTPUT, "", SERVICES_FILE);
            try (Writer w = f.openWriter()) {
                for (String lib : libraries) w.write(lib + "\n");
            }
        } catch (IOException ex) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "Gale: cannot write " + SERVICES_FILE + ": " + ex);
        }
    }

    private void kernel(StringBuilder b, KernelUnit u, Map<String, KernelUnit> units, JavaEmitter je, String ownerRef) {
        String n = u.name;
        b.append("\n    // ---- ").append(n).append(" (").append(u.location).append(")\n");
        boolean barrierKernel = u.features.barriers() || u.features.localMemory();
        String runner;
        if (!u.jvmTwin.isEmpty()) {
            KernelUnit t = units.get(u.jvmTwin);
            b.append("    /** Runs twin ").append(t.name).append(": this launch's chunk [lo, hi) maps proportionally onto the twin's iterations. */\n");
            b.append("    static void ").append(n).append("$run(Object[] args, long lo, long hi, gale.compute.KernelContext ctx) {\n");
            if (u.usesContext()) {
                b.append("        Object[] twinArgs = gale.compute.translate.GeneratedSupport.dropContext(args);\n");
                b.append("        long w = gale.compute.translate.GeneratedSupport.workItems(ctx);\n");
            } else {
                b.append("        Object[] twinArgs = args;\n");
                b.append("        long w = ").append(n).append("$grid(args)[0];\n");
            }
            b.append("        long n = ").append(t.name).append("$grid(twinArgs)[0];\n");
            b.append("        ").append(t.name).append("$run(twinArgs, gale.compute.translate.GeneratedSupport.scale(lo, n, w), "
                    + "gale.compute.translate.GeneratedSupport.scale(hi, n, w), null);\n    }\n");
            runner = n + "$run";
        } else if (u.usesContext() && barrierKernel) {
            runner = null; // barriers and local memory have no plain-Java meaning: KernelInfo.jvm stays null
        } else if (u.usesContext()) {
            b.append("    static void ").append(n).append("$run(Object[] args, long lo, long hi, gale.compute.KernelContext ctx) {\n");
            List<String> call = new ArrayList<>();
            for (int i = 0; i < u.params.size(); i++) {
                KernelParam p = u.params.get(i);
                if (p.kind() == KernelParam.Kind.CONTEXT) { call.add("ctx"); continue; }
                String v = "a" + i;
                b.append("        ").append(javaType(p.kind())).append(' ').append(v).append(" = (").append(box(p.kind())).append(") args[").append(i).append("];\n");
                call.add(v);
            }
            b.append("        for (long id = lo; id < hi; id++) {\n            ctx.setLinearId(id);\n            ")
                    .append(ownerRef).append('.').append(n).append('(').append(String.join(", ", call)).append(");\n        }\n    }\n");
            runner = n + "$run";
        } else {
            runner = n + "$run";
        }
        if (!u.usesContext()) {
            b.append(je.gridMethod());
            b.append(je.rangeMethod());
            if (u.jvmTwin.isEmpty()) {
                b.append("    static void ").append(n).append("$run(Object[] args, long lo, long hi, gale.compute.KernelContext ctx) {\n        ")
                        .append(n).append("$range(");
                for (int i = 0; i < u.params.size(); i++) b.append('(').append(box(u.params.get(i).kind())).append(") args[").append(i).append("], ");
                b.append("lo, hi);\n    }\n");
            }
        }
        if (u.opencl != null) {
            b.append("    private static final String ").append(n).append("$OPENCL = ").append(sourceLiteral(u.opencl)).append(";\n");
            b.append("    private static final String ").append(n).append("$CUDA = ").append(sourceLiteral(u.cuda)).append(";\n");
        }
        b.append("    private static gale.compute.spi.KernelInfo ").append(n).append("$info() {\n");
        b.append("        return new gale.compute.spi.KernelInfo(").append(str(c(u).elements.getBinaryName(u.owner).toString())).append(", ")
                .append(str(n)).append(", ").append(str(u.location)).append(",\n            java.util.List.of(");
        for (int i = 0; i < u.params.size(); i++)
            b.append(i == 0 ? "" : ", ").append("new gale.compute.spi.KernelParam(").append(str(u.params.get(i).name()))
                    .append(", gale.compute.spi.KernelParam.Kind.").append(u.params.get(i).kind()).append(")");
        b.append("),\n            ").append(str(CEmitter.entryName(u))).append(", ")
                .append(u.opencl == null ? "null, null" : n + "$OPENCL, " + n + "$CUDA").append(", ")
                .append(u.usesContext() ? 0 : u.loops.size()).append(", ")
                .append(u.usesContext() ? "null" : ownerLib(u) + "::" + n + "$grid")
                .append(",\n            new gale.compute.spi.KernelInfo.Features(").append(u.features.barriers()).append(", ")
                .append(u.features.localMemory()).append(", ").append(u.features.localMemoryBytes()).append(", ")
                .append(u.features.atomics()).append(", ").append(u.features.halfData()).append(", ").append(u.features.int8Data())
                .append("), ").append(runner == null ? "null" : ownerLib(u) + "::" + runner).append(", ").append(str(u.jvmTwin)).append(");\n    }\n");
    }

    private static Ctx c(KernelUnit u) { return u.c; }

    private static String ownerLib(KernelUnit u) { return CEmitter.binarySimple(u.owner) + "_GaleKernels"; }

    private static String javaType(KernelParam.Kind k) {
        return switch (k) {
            case FLOAT_ARRAY -> "gale.compute.FloatArray"; case HALF_ARRAY -> "gale.compute.HalfArray";
            case BYTE_ARRAY -> "gale.compute.ByteArray"; case INT_ARRAY -> "gale.compute.IntArray";
            case INT -> "int"; case LONG -> "long"; case FLOAT -> "float"; case CONTEXT -> "gale.compute.KernelContext";
        };
    }

    private static String box(KernelParam.Kind k) {
        return switch (k) { case INT -> "Integer"; case LONG -> "Long"; case FLOAT -> "Float"; default -> javaType(k); };
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\""); case '\\' -> b.append("\\\\"); case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t"); case '\r' -> b.append("\\r");
                default -> { if (ch < 32 || ch > 126) b.append(String.format("\\u%04x", (int) ch)); else b.append(ch); }
            }
        }
        return b.append('"').toString();
    }

    /** A multi-line source as one string literal per line, joined at run time (no 64 KiB constant limit). */
    private static String sourceLiteral(String src) {
        StringBuilder b = new StringBuilder("gale.compute.translate.GeneratedSupport.source(");
        String[] lines = src.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = i < lines.length - 1 ? lines[i] + "\n" : lines[i];
            if (l.isEmpty()) continue;
            b.append("\n        ").append(str(l)).append(",");
        }
        if (b.charAt(b.length() - 1) == ',') b.setLength(b.length() - 1);
        return b.append(")").toString();
    }
}
