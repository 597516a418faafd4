// One @Kernel method as the translator sees it: parameters, @Parallel loop nest, grid inputs, and what it generates.
package gale.compute.translate;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;

import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The analysis of one kernel, done once and shared by the C emitter (both dialects) and the Java emitter.
 * Errors go to javac through {@link Ctx}. Mutable while the processor fills in the generated parts; one thread.
 */
final class KernelUnit {
    /** One @Parallel loop: {@code for (@Parallel int var = start; var < end; var++ | var += step)}. */
    record ParallelLoop(ForLoopTree tree, TreePath path, VariableElement var, ExpressionTree start, ExpressionTree end,
                        ExpressionTree step, int dim) {}

    final Ctx c;
    final ExecutableElement elem;
    final MethodTree tree;
    final CompilationUnitTree cu;
    final TypeElement owner;
    final String name;
    final boolean jvmOnly;
    final String jvmTwin;
    final String location;
    final List<KernelParam> params = new ArrayList<>();
    VariableElement ctxParam;
    final List<ParallelLoop> loops = new ArrayList<>();
    /** Top-level locals declared before the outermost @Parallel loop that loop bounds may use, in order. */
    final Set<VariableElement> gridLocals = new LinkedHashSet<>();
    final List<VariableTree> gridLocalTrees = new ArrayList<>();
    /** Variables assigned anywhere in the body (after their declaration). */
    final Set<Element> assigned = new HashSet<>();
    KernelInfo.Features features = KernelInfo.Features.NONE;
    String opencl, cuda;

    KernelUnit(Ctx c, ExecutableElement elem, TypeElement owner, boolean jvmOnly, String jvmTwin) {
        this.c = c;
        this.elem = elem;
        this.owner = owner;
        this.jvmOnly = jvmOnly;
        this.jvmTwin = jvmTwin;
        TreePath p = c.trees.getPath(elem);
        this.tree = (MethodTree) p.getLeaf();
        this.cu = p.getCompilationUnit();
        this.name = elem.getSimpleName().toString();
        this.location = c.location(tree, cu);
    }

    String display() { return owner.getSimpleName() + "." + name; }

    void error(Tree t, String msg) { c.error(display(), t, cu, msg); }

    boolean usesContext() { return ctxParam != null; }

    /** Checks the signature and finds the @Parallel loop nest and the grid's inputs. */
    void analyze() {
        Set<Modifier> mods = elem.getModifiers();
        if (!mods.contains(Modifier.STATIC)) error(tree, "a kernel must be a static method (instance methods are not in the kernel language)");
        if (mods.contains(Modifier.PRIVATE)) error(tree, "a kernel must not be private: the generated " + owner.getSimpleName() + "_GaleKernels calls it; make it public");
        if (elem.getReturnType().getKind() != TypeKind.VOID) error(tree, "a kernel must return void");
        if (elem.isVarArgs()) error(tree, "varargs are not in the kernel language");
        if (!elem.getTypeParameters().isEmpty()) error(tree, "generic kernels are not in the kernel language");
        List<? extends VariableElement> ps = elem.getParameters();
        for (int i = 0; i < ps.size(); i++) {
            VariableElement v = ps.get(i);
            KernelParam.Kind k = paramKind(v.asType());
            Tree where = tree.getParameters().get(i);
            if (k == null) {
                error(where, "parameter '" + v.getSimpleName() + "' has type " + v.asType() + ", which is not in the kernel language "
                        + (v.asType().getKind() == TypeKind.DOUBLE ? "(double: use float)" : "(allowed: FloatArray, HalfArray, ByteArray, IntArray, int, long, float, and KernelContext first)"));
                continue;
            }
            if (k == KernelParam.Kind.CONTEXT) {
                if (i != 0) error(where, "the KernelContext must be the first parameter");
                ctxParam = v;
            }
            params.add(new KernelParam(v.getSimpleName().toString(), k));
        }
        if (tree.getBody() == null) return;
        collectAssigned();
        findParallelLoops();
        if (ctxParam == null && loops.isEmpty())
            error(tree, "a kernel needs a @Parallel for-loop (for (@Parallel int i = 0; i < n; i++)) or a KernelContext first parameter");
        if (ctxParam != null && !loops.isEmpty())
            error(loops.get(0).tree(), "a KernelContext kernel cannot have @Parallel loops: the grid comes from its WorkerGrid");
    }

    static KernelParam.Kind paramKind(TypeMirror t) {
        switch (t.getKind()) {
            case INT: return KernelParam.Kind.INT;
            case LONG: return KernelParam.Kind.LONG;
            case FLOAT: return KernelParam.Kind.FLOAT;
            case DECLARED:
                return switch (Ctx.qualifiedName(t)) {
                    case "gale.compute.FloatArray" -> KernelParam.Kind.FLOAT_ARRAY;
                    case "gale.compute.HalfArray" -> KernelParam.Kind.HALF_ARRAY;
                    case "gale.compute.ByteArray" -> KernelParam.Kind.BYTE_ARRAY;
                    case "gale.compute.IntArray" -> KernelParam.Kind.INT_ARRAY;
                    case "gale.compute.KernelContext" -> KernelParam.Kind.CONTEXT;
                    default -> null;
                };
            default: return null;
        }
    }

    private void collectAssigned() {
        new TreePathScanner<Void, Void>() {
            void target(ExpressionTree t) {
                if (t instanceof IdentifierTree) {
                    Element e = c.trees.getElement(new TreePath(getCurrentPath(), t));
                    if (e != null) assigned.add(e);
                }
            }
            @Override public Void visitAssignment(AssignmentTree t, Void v) { target(t.getVariable()); return super.visitAssignment(t, v); }
            @Override public Void visitCompoundAssignment(CompoundAssignmentTree t, Void v) { target(t.getVariable()); return super.visitCompoundAssignment(t, v); }
            @Override public Void visitUnary(UnaryTree t, Void v) {
                switch (t.getKind()) {
                    case PREFIX_INCREMENT, PREFIX_DECREMENT, POSTFIX_INCREMENT, POSTFIX_DECREMENT -> target(t.getExpression());
                    default -> {}
                }
                return super.visitUnary(t, v);
            }
        }.scan(new TreePath(c.trees.getPath(elem), tree.getBody()), null);
    }

    /** Whether a variable tree carries @Parallel. */
    boolean isParallel(TreePath varPath) {
        VariableTree v = (VariableTree) varPath.getLeaf();
        for (AnnotationTree a : v.getModifiers().getAnnotations()) {
            TreePath ap = new TreePath(new TreePath(varPath, v.getModifiers()), a);
            TypeMirror t = c.trees.getTypeMirror(new TreePath(ap, a.getAnnotationType()));
            if (Ctx.qualifiedName(t).equals("gale.compute.Parallel")) return true;
        }
        return false;
    }

    private void findParallelLoops() {
        TreePath bodyPath = new TreePath(c.trees.getPath(elem), tree.getBody());
        List<TreePath> found = new ArrayList<>();
        new TreePathScanner<Void, Void>() {
            @Override public Void visitForLoop(ForLoopTree f, Void v) {
                if (f.getInitializer().size() == 1 && f.getInitializer().get(0) instanceof VariableTree
                        && isParallel(new TreePath(getCurrentPath(), f.getInitializer().get(0)))) found.add(getCurrentPath());
                else {
                    for (int i = 1; i < f.getInitializer().size(); i++)
                        if (f.getInitializer().get(i) instanceof VariableTree && isParallel(new TreePath(getCurrentPath(), f.getInitializer().get(i))))
                            error(f, "a @Parallel loop declares exactly one index: for (@Parallel int i = START; i < END; i++)");
                }
                return super.visitForLoop(f, v);
            }
            @Override public Void visitVariable(VariableTree t, Void v) {
                Tree parent = getCurrentPath().getParentPath().getLeaf();
                if (!(parent instanceof ForLoopTree) && isParallel(getCurrentPath()))
                    error(t, "@Parallel belongs on the index of a for-loop: for (@Parallel int i = START; i < END; i++)");
                return super.visitVariable(t, v);
            }
        }.scan(bodyPath, null);
        if (found.isEmpty()) return;
        if (found.size() > 3) { error(found.get(3).getLeaf(), "at most three nested @Parallel loops (grid dimensions 0, 1, 2)"); return; }
        // The nest: the first at the kernel's top level, each next one the body of the one before (after local declarations).
        for (int i = 0; i < found.size(); i++) {
            TreePath lp = found.get(i);
            ForLoopTree f = (ForLoopTree) lp.getLeaf();
            if (i == 0) {
                if (lp.getParentPath().getLeaf() != tree.getBody()) {
                    error(f, "the outermost @Parallel loop must be a statement of the kernel's body, not nested in another statement");
                    return;
                }
            } else {
                ForLoopTree outer = loops.get(i - 1).tree();
                Tree parent = lp.getParentPath().getLeaf();
                boolean ok = parent == outer;
                if (parent instanceof BlockTree b && lp.getParentPath().getParentPath().getLeaf() == outer) {
                    ok = true;
                    for (StatementTree s : b.getStatements()) {
                        if (s == f) break;
                        if (!(s instanceof VariableTree)) ok = false;
                    }
                    for (int k = b.getStatements().indexOf(f) + 1; k < b.getStatements().size(); k++) ok = false;
                }
                if (!ok) {
                    error(f, "a nested @Parallel loop must be the body of the @Parallel loop around it (only local declarations may come before it)");
                    return;
                }
            }
            ParallelLoop loop = shape(lp, i);
            if (loop == null) return;
            loops.add(loop);
        }
        collectGridLocals();
        for (ParallelLoop l : loops) {
            checkBound(new TreePath(l.path(), l.start()), l);
            checkBound(new TreePath(l.path(), l.end()), l);
            if (l.step() != null) checkBound(new TreePath(l.path(), l.step()), l);
        }
    }

    private ParallelLoop shape(TreePath lp, int dim) {
        ForLoopTree f = (ForLoopTree) lp.getLeaf();
        String form = "a @Parallel loop must read for (@Parallel int i = START; i < END; i++) or i += STEP";
        VariableTree v = (VariableTree) f.getInitializer().get(0);
        VariableElement var = (VariableElement) c.trees.getElement(new TreePath(lp, v));
        if (var.asType().getKind() != TypeKind.INT || v.getInitializer() == null) { error(f, form + " (the index must be an initialized int)"); return null; }
        if (!(f.getCondition() instanceof BinaryTree cond) || cond.getKind() != Tree.Kind.LESS_THAN
                || !isVar(lp, cond.getLeftOperand(), var)) { error(f, form + " (the condition must be i < END)"); return null; }
        if (f.getUpdate().size() != 1) { error(f, form + " (one update)"); return null; }
        ExpressionTree up = f.getUpdate().get(0).getExpression();
        ExpressionTree step = null;
        if (up instanceof UnaryTree u && (u.getKind() == Tree.Kind.POSTFIX_INCREMENT || u.getKind() == Tree.Kind.PREFIX_INCREMENT)
                && isVar(lp, u.getExpression(), var)) {
            step = null;
        } else if (up instanceof CompoundAssignmentTree ca && ca.getKind() == Tree.Kind.PLUS_ASSIGNMENT && isVar(lp, ca.getVariable(), var)) {
            step = ca.getExpression();
            Long s = Consts.intValue(c, new TreePath(lp, step));
            if (s != null && s <= 0) { error(step, form + " (the step must be positive, got " + s + ")"); return null; }
        } else {
            error(f, form + " (the update must be i++ or i += STEP)");
            return null;
        }
        if (assigned.contains(var)) {
            // The update itself assigns it; any other assignment is in the body.
            int[] count = {0};
            new TreePathScanner<Void, Void>() {
                void target(ExpressionTree t, Tree at) {
                    if (t instanceof IdentifierTree && var.equals(c.trees.getElement(new TreePath(getCurrentPath(), t)))) {
                        count[0]++;
                        error(at, "the index of a @Parallel loop must not be assigned in its body");
                    }
                }
                @Override public Void visitAssignment(AssignmentTree t, Void x) { target(t.getVariable(), t); return super.visitAssignment(t, x); }
                @Override public Void visitCompoundAssignment(CompoundAssignmentTree t, Void x) { target(t.getVariable(), t); return super.visitCompoundAssignment(t, x); }
                @Override public Void visitUnary(UnaryTree t, Void x) {
                    if (t.getKind().name().contains("CREMENT")) target(t.getExpression(), t);
                    return super.visitUnary(t, x);
                }
            }.scan(new TreePath(lp, f.getStatement()), null);
        }
        return new ParallelLoop(f, lp, var, v.getInitializer(), cond.getRightOperand(), step, dim);
    }

    private boolean isVar(TreePath parent, ExpressionTree t, VariableElement var) {
        return t instanceof IdentifierTree && var.equals(c.trees.getElement(new TreePath(parent, t)));
    }

    private void collectGridLocals() {
        BlockTree body = tree.getBody();
        TreePath bodyPath = new TreePath(c.trees.getPath(elem), body);
        for (StatementTree s : body.getStatements()) {
            if (s == loops.get(0).tree()) break;
            if (s instanceof VariableTree v && v.getInitializer() != null) {
                TreePath vp = new TreePath(bodyPath, v);
                VariableElement e = (VariableElement) c.trees.getElement(vp);
                TypeKind k = e.asType().getKind();
                if ((k == TypeKind.INT || k == TypeKind.LONG || k == TypeKind.FLOAT) && !assigned.contains(e)
                        && pure(new TreePath(vp, v.getInitializer()), null, null)) {
                    gridLocals.add(e);
                    gridLocalTrees.add(v);
                }
            }
        }
    }

    private void checkBound(TreePath p, ParallelLoop loop) {
        pure(p, loop, "a @Parallel loop bound may use only scalar parameters, constants, Math/Gale functions and "
                + "never-reassigned locals declared before the outermost @Parallel loop from those (the grid is computed "
                + "from the arguments before launch)");
    }

    /** Whether an expression depends only on the arguments' scalars; reports why not when {@code why} is given. */
    private boolean pure(TreePath p, ParallelLoop loop, String why) {
        Tree t = p.getLeaf();
        String bad = null;
        switch (t) {
            case LiteralTree l -> {
                if (t.getKind() == Tree.Kind.STRING_LITERAL || t.getKind() == Tree.Kind.NULL_LITERAL) bad = "literal " + l.getValue();
            }
            case ParenthesizedTree x -> { return pure(new TreePath(p, x.getExpression()), loop, why); }
            case TypeCastTree x -> { return pure(new TreePath(p, x.getExpression()), loop, why); }
            case UnaryTree u -> {
                if (u.getKind().name().contains("CREMENT")) bad = "++/--";
                else return pure(new TreePath(p, u.getExpression()), loop, why);
            }
            case BinaryTree b -> {
                return pure(new TreePath(p, b.getLeftOperand()), loop, why) & pure(new TreePath(p, b.getRightOperand()), loop, why);
            }
            case ConditionalExpressionTree ce -> {
                return pure(new TreePath(p, ce.getCondition()), loop, why) & pure(new TreePath(p, ce.getTrueExpression()), loop, why)
                        & pure(new TreePath(p, ce.getFalseExpression()), loop, why);
            }
            case IdentifierTree id -> {
                Element e = c.trees.getElement(p);
                // jvmOnly kernels are plain Java: their bounds may also read static fields and name types (SPECIES.length()).
                if (jvmOnly && (e instanceof TypeElement || e instanceof VariableElement f && f.getKind() == ElementKind.FIELD
                        && f.getModifiers().contains(Modifier.STATIC))) return true;
                if (e instanceof VariableElement ve) {
                    if (ve.getConstantValue() != null) return true;
                    if (ve.getKind() == ElementKind.PARAMETER && paramKind(ve.asType()) != null && !paramKind(ve.asType()).isArray()
                            && paramKind(ve.asType()) != KernelParam.Kind.CONTEXT && !assigned.contains(ve)) return true;
                    if (gridLocals.contains(ve)) return true;
                    if (ve.getKind() == ElementKind.PARAMETER && assigned.contains(ve)) bad = "parameter '" + id.getName() + "', which the kernel reassigns";
                    else bad = "'" + id.getName() + "'";
                } else bad = "'" + id.getName() + "'";
            }
            case MemberSelectTree ms -> {
                Element e = c.trees.getElement(p);
                if (e instanceof VariableElement ve && ve.getConstantValue() != null) return true;
                if (jvmOnly && (e instanceof TypeElement || e != null && e.getModifiers().contains(Modifier.STATIC))) return true;
                bad = "'" + ms + "'";
            }
            case MethodInvocationTree mi -> {
                Element e = c.trees.getElement(p);
                String o = e == null ? "" : Ctx.ownerName(e);
                if (o.equals("java.lang.Math") || o.equals("gale.compute.Gale")) {
                    boolean ok = true;
                    for (ExpressionTree a : mi.getArguments()) ok &= pure(new TreePath(p, a), loop, why);
                    return ok;
                }
                if (jvmOnly) {
                    boolean ok = !(mi.getMethodSelect() instanceof MemberSelectTree ms)
                            || pure(new TreePath(new TreePath(p, ms), ms.getExpression()), loop, why);
                    for (ExpressionTree a : mi.getArguments()) ok &= pure(new TreePath(p, a), loop, why);
                    return ok;
                }
                bad = "the call " + mi.getMethodSelect();
            }
            default -> bad = t.getKind().toString().toLowerCase().replace('_', ' ');
        }
        if (bad == null) return true;
        if (why != null) error(t, why + ": " + bad + " is not");
        return false;
    }

    static boolean isKernelOwner(Element e) {
        return e.getKind() == ElementKind.CLASS || e.getKind() == ElementKind.INTERFACE || e.getKind() == ElementKind.ENUM
                || e.getKind() == ElementKind.RECORD;
    }

    /** The statements of an expression-statement list as expressions. */
    static List<ExpressionTree> exprs(List<? extends ExpressionStatementTree> l) {
        List<ExpressionTree> out = new ArrayList<>();
        for (ExpressionStatementTree s : l) out.add(s.getExpression());
        return out;
    }
}
