// The Java dialect: re-emits a @Parallel kernel's body as a range method for the jvm backend, and its grid function.
package gale.compute.translate;

import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import gale.compute.spi.KernelParam;

import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Emits Java from the kernel's own source text, edited where the tree says so: references to static members become
 * qualified ({@code Owner.helper}), compile-time constants become literals, and the outermost @Parallel loop becomes
 * a loop over the iteration range {@code [lo$, hi$)}. Working from the text javac compiled keeps Java semantics exact
 * and lets jvmOnly kernels (Vector API twins) use all of Java. One instance per kernel; not thread-safe.
 */
final class JavaEmitter {
    private record Edit(long start, long end, String text) {}

    private final Ctx c;
    private final KernelUnit k;
    private final CharSequence src;
    private final List<Edit> edits = new ArrayList<>();

    JavaEmitter(Ctx c, KernelUnit k) {
        this.c = c;
        this.k = k;
        try {
            this.src = k.cu.getSourceFile().getCharContent(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + k.cu.getSourceFile().getName(), e);
        }
        scan();
    }

    private long start(Tree t) { return c.positions.getStartPosition(k.cu, t); }

    private long end(Tree t) { return c.positions.getEndPosition(k.cu, t); }

    private void scan() {
        TreePath body = new TreePath(c.trees.getPath(k.elem), k.tree.getBody());
        new TreePathScanner<Void, Void>() {
            @Override public Void visitIdentifier(IdentifierTree t, Void v) {
                Element e = c.trees.getElement(getCurrentPath());
                if (e == null) return null;
                if (e instanceof VariableElement ve && ve.getKind() == ElementKind.FIELD) {
                    if (ve.getConstantValue() != null) edits.add(new Edit(start(t), end(t), constant(ve)));
                    else if (access(t, e, "static field")) edits.add(new Edit(start(t), end(t), qualified(e)));
                } else if (e instanceof ExecutableElement && e.getModifiers().contains(Modifier.STATIC)) {
                    if (access(t, e, "helper")) edits.add(new Edit(start(t), end(t), qualified(e)));
                } else if (e instanceof TypeElement te && te.getEnclosingElement() instanceof TypeElement) {
                    if (access(t, e, "nested type")) edits.add(new Edit(start(t), end(t), te.getQualifiedName().toString()));
                }
                return null;
            }

            @Override public Void visitMemberSelect(MemberSelectTree t, Void v) {
                Element e = c.trees.getElement(getCurrentPath());
                if (e instanceof VariableElement ve && ve.getKind() == ElementKind.FIELD && ve.getConstantValue() != null) {
                    edits.add(new Edit(start(t), end(t), constant(ve)));
                    return null;
                }
                if (e != null && e.getModifiers().contains(Modifier.STATIC) && e.getEnclosingElement() instanceof TypeElement)
                    access(t, e, e instanceof ExecutableElement ? "helper" : e instanceof TypeElement ? "nested type" : "static field");
                return super.visitMemberSelect(t, v);
            }
        }.scan(body, null);
    }

    /** The generated class cannot reach private members: say so at the reference. */
    private boolean access(Tree t, Element e, String what) {
        if (!e.getModifiers().contains(Modifier.PRIVATE)) return true;
        k.error(t, what + " '" + e.getSimpleName() + "' is private: the jvm runner generated in " + k.owner.getSimpleName()
                + "_GaleKernels cannot use it; make it package-private");
        return false;
    }

    private String constant(VariableElement ve) {
        return "(" + c.elements.getConstantExpression(ve.getConstantValue()) + ")";
    }

    private static String qualified(Element e) {
        return ((TypeElement) e.getEnclosingElement()).getQualifiedName() + "." + e.getSimpleName();
    }

    /** The source of a tree with the edits inside it applied. */
    String render(Tree t) { return render(start(t), end(t), edits); }

    private String render(long s, long e, List<Edit> es) {
        List<Edit> sorted = new ArrayList<>(es);
        sorted.sort(Comparator.comparingLong(Edit::start).thenComparing(Comparator.comparingLong(Edit::end).reversed()));
        StringBuilder b = new StringBuilder();
        long pos = s;
        for (Edit x : sorted) {
            if (x.start() < pos || x.start() < s || x.end() > e) continue;
            b.append(src, (int) pos, (int) x.start()).append(x.text());
            pos = x.end();
        }
        b.append(src, (int) pos, (int) e);
        return b.toString();
    }

    /** {@code static void name$range(params..., long lo$, long hi$) { body }} with the outermost loop over [lo$, hi$). */
    String rangeMethod() {
        KernelUnit.ParallelLoop outer = k.loops.get(0);
        ForLoopTree f = outer.tree();
        List<Edit> all = new ArrayList<>(edits);
        String step = outer.step() == null ? "1" : render(outer.step());
        String var = outer.var().getSimpleName().toString();
        all.add(new Edit(start(f), start(f.getStatement()),
                "for (long it$ = lo$; it$ < hi$; it$++) { int " + var + " = (int) ((" + render(outer.start()) + ") + it$ * (long) ("
                        + step + ")); "));
        all.add(new Edit(end(f), end(f), " }"));
        StringBuilder b = new StringBuilder();
        b.append("    static void ").append(k.name).append("$range(");
        for (VariableElement p : k.elem.getParameters()) b.append(p.asType()).append(' ').append(p.getSimpleName()).append(", ");
        b.append("long lo$, long hi$) ");
        b.append(render(start(k.tree.getBody()), end(k.tree.getBody()), all)).append('\n');
        return b.toString();
    }

    /** {@code static long[] name$grid(Object[] args)}: each @Parallel dimension's iteration count. */
    String gridMethod() {
        StringBuilder b = new StringBuilder();
        b.append("    static long[] ").append(k.name).append("$grid(Object[] args) {\n");
        List<? extends VariableElement> ps = k.elem.getParameters();
        for (int i = 0; i < ps.size(); i++) {
            KernelParam.Kind kind = KernelUnit.paramKind(ps.get(i).asType());
            if (kind == null || kind.isArray() || kind == KernelParam.Kind.CONTEXT) continue;
            String box = switch (kind) { case INT -> "Integer"; case LONG -> "Long"; default -> "Float"; };
            b.append("        ").append(ps.get(i).asType()).append(' ').append(ps.get(i).getSimpleName())
                    .append(" = (").append(box).append(") args[").append(i).append("];\n");
        }
        for (VariableTree v : k.gridLocalTrees) {
            VariableElement e = (VariableElement) c.trees.getElement(new TreePath(new TreePath(c.trees.getPath(k.elem), k.tree.getBody()), v));
            b.append("        ").append(e.asType()).append(' ').append(v.getName()).append(" = ").append(render(v.getInitializer())).append(";\n");
        }
        b.append("        return new long[] {");
        for (KernelUnit.ParallelLoop l : k.loops) {
            b.append(l.dim() == 0 ? "\n" : ",\n").append("            gale.compute.translate.GeneratedSupport.iterations(\"")
                    .append(k.display()).append("\", ").append(l.dim()).append(", ")
                    .append(render(l.start())).append(", ").append(render(l.end())).append(", ")
                    .append(l.step() == null ? "1" : render(l.step())).append(")");
        }
        b.append("\n        };\n    }\n");
        return b.toString();
    }
}
