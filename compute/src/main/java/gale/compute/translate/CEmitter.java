// The one C-like emitter: walks a kernel's javac tree and writes OpenCL C or CUDA C through a Dialect, checking the kernel language as it goes.
package gale.compute.translate;

import com.sun.source.tree.ArrayAccessTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ContinueTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;

import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates one kernel (and, transitively, the helpers it calls) into one C translation unit. The same walk serves
 * both dialects; with {@code report} it also reports every construct outside the kernel language and records the
 * kernel's features. One instance per kernel and dialect; not thread-safe.
 */
final class CEmitter {
    /** Small support functions ({@code gale_*}) a translation unit needs, emitted once each before the helpers. */
    static final class Prelude {
        final Map<String, String> fns = new LinkedHashMap<>();

        void need(String name, String code) { fns.putIfAbsent(name, code); }
    }

    /** C names of helpers, shared by every kernel of a class so a helper keeps one name. */
    static final class Names {
        final Map<ExecutableElement, String> helpers = new HashMap<>();
        final Set<String> used = new HashSet<>();

        String helper(ExecutableElement m) {
            return helpers.computeIfAbsent(m, x -> {
                String base = cIdent(binarySimple(x.getEnclosingElement()) + "_" + x.getSimpleName());
                String n = base;
                for (int i = 2; !used.add(n); i++) n = base + "_" + i;
                return n;
            });
        }
    }

    private final Ctx c;
    private final Dialect d;
    private final KernelUnit k;
    private final boolean report;
    private final Names names;
    private final Prelude prelude = new Prelude();
    private final Set<ExecutableElement> done = new HashSet<>();
    private final Set<ExecutableElement> visiting = new HashSet<>();
    private final List<String> helperText = new ArrayList<>();
    private boolean barriers, atomics, halfData, int8Data, localMemory;
    private long localBytes;

    /** The function being emitted. */
    private final class Fn {
        final CompilationUnitTree cu;
        final MethodTree tree;
        final boolean kernel;
        final String display;
        final Map<Element, String> locals = new HashMap<>();
        final Set<Element> localArrays = new HashSet<>();
        final Deque<Boolean> loops = new ArrayDeque<>(); // true: a @Parallel loop
        final StringBuilder out = new StringBuilder();
        int indent;

        Fn(CompilationUnitTree cu, MethodTree tree, boolean kernel, String display) {
            this.cu = cu; this.tree = tree; this.kernel = kernel; this.display = display;
        }
    }

    private Fn f;

    CEmitter(Ctx c, Dialect d, KernelUnit k, Names names, boolean report) {
        this.c = c; this.d = d; this.k = k; this.names = names; this.report = report;
    }

    static String entryName(KernelUnit k) { return cIdent(binarySimple(k.owner) + "_" + k.name); }

    /** The complete translation unit. */
    String translate() {
        String kernel = function(k.elem, c.trees.getPath(k.elem), true);
        StringBuilder sb = new StringBuilder();
        sb.append("// ").append(k.display()).append(" (").append(k.location).append("): ").append(d.name())
                .append(" generated by Gale's KernelProcessor. Do not edit; edit the Java kernel.\n");
        sb.append(d.header());
        for (String p : prelude.fns.values()) sb.append('\n').append(p).append('\n');
        for (String h : helperText) sb.append('\n').append(h);
        sb.append('\n').append(kernel);
        return sb.toString();
    }

    KernelInfo.Features features() {
        return new KernelInfo.Features(barriers, localMemory, (int) localBytes, atomics, halfData, int8Data);
    }

    // ---------------------------------------------------------------- functions

    private String function(ExecutableElement m, TreePath mp, boolean kernel) {
        Fn saved = f;
        MethodTree mt = (MethodTree) mp.getLeaf();
        f = new Fn(mp.getCompilationUnit(), mt, kernel,
                kernel ? k.display() : m.getEnclosingElement().getSimpleName() + "." + m.getSimpleName());
        try {
            StringBuilder sig = new StringBuilder();
            if (kernel) {
                sig.append(d.kernelPrefix()).append(' ').append(entryName(k)).append('(');
            } else {
                TypeMirror rt = m.getReturnType();
                String ret = rt.getKind() == TypeKind.VOID ? "void" : scalarType(rt, mt.getReturnType());
                if (!m.getModifiers().contains(Modifier.STATIC)) err(mt, "helper " + f.display + " must be static");
                if (m.isVarArgs()) err(mt, "varargs are not in the kernel language");
                sig.append(d.helperPrefix()).append(ret).append(' ').append(names.helper(m)).append('(');
            }
            boolean first = true;
            for (int i = 0; i < m.getParameters().size(); i++) {
                VariableElement v = m.getParameters().get(i);
                KernelParam.Kind kind = KernelUnit.paramKind(v.asType());
                Tree where = mt.getParameters().get(i);
                if (kind == KernelParam.Kind.CONTEXT) {
                    if (!kernel) err(where, "a helper cannot take the KernelContext: read ids in the kernel and pass them as ints");
                    continue;
                }
                if ((kind == null || !kind.isArray()) && v.asType().getKind().isPrimitive() && v.asType().getKind() != TypeKind.DOUBLE) {
                    if (!first) sig.append(", ");
                    sig.append(scalarType(v.asType(), where)).append(' ').append(local(v));
                    first = false;
                    continue;
                }
                if (kind == null) {
                    if (!kernel) err(where, "parameter '" + v.getSimpleName() + "' of type " + v.asType() + " is not in the kernel language"
                            + (v.asType().getKind() == TypeKind.DOUBLE ? " (double: use float)" : " (helpers take primitives and Gale arrays)"));
                    continue;
                }
                if (!first) sig.append(", ");
                sig.append(d.pointerType(kind)).append(' ').append(local(v));
                first = false;
                if (kind == KernelParam.Kind.HALF_ARRAY) halfData();
                if (kind == KernelParam.Kind.BYTE_ARRAY) int8Data = true;
            }
            sig.append(')');
            if (!mt.getTypeParameters().isEmpty()) err(mt, "generic methods are not in the kernel language");
            line(sig + " {");
            f.indent++;
            if (mt.getBody() != null) statements(new TreePath(mp, mt.getBody()));
            f.indent--;
            line("}");
            return f.out.toString();
        } finally {
            f = saved;
        }
    }

    // ---------------------------------------------------------------- statements

    private void statements(TreePath blockPath) {
        for (StatementTree s : ((BlockTree) blockPath.getLeaf()).getStatements()) stmt(new TreePath(blockPath, s));
    }

    /** {@code header {} body {@code }}}; a block body contributes its statements, anything else itself. */
    private void body(String header, TreePath bodyPath) {
        line(header + " {");
        f.indent++;
        if (bodyPath.getLeaf() instanceof BlockTree) statements(bodyPath);
        else stmt(bodyPath);
        f.indent--;
    }

    private void stmt(TreePath p) {
        Tree t = p.getLeaf();
        switch (t.getKind()) {
            case BLOCK -> { line("{"); f.indent++; statements(p); f.indent--; line("}"); }
            case EMPTY_STATEMENT -> {}
            case VARIABLE -> variable(p, (VariableTree) t);
            case EXPRESSION_STATEMENT -> line(expr(new TreePath(p, ((ExpressionStatementTree) t).getExpression())) + ";");
            case IF -> {
                IfTree it = (IfTree) t;
                String h = "if (" + cond(new TreePath(p, it.getCondition())) + ")";
                TreePath cur = p;
                while (true) {
                    IfTree ct = (IfTree) cur.getLeaf();
                    body(h, new TreePath(cur, ct.getThenStatement()));
                    StatementTree e = ct.getElseStatement();
                    if (e == null) { line("}"); break; }
                    if (e instanceof IfTree ei) {
                        cur = new TreePath(cur, ei);
                        h = "} else if (" + cond(new TreePath(cur, ei.getCondition())) + ")";
                        // body() emits "} else if (...) {" as one line
                        continue;
                    }
                    body("} else", new TreePath(cur, e));
                    line("}");
                    break;
                }
            }
            case FOR_LOOP -> forLoop(p, (ForLoopTree) t);
            case WHILE_LOOP -> {
                WhileLoopTree w = (WhileLoopTree) t;
                String h = "while (" + cond(new TreePath(p, w.getCondition())) + ")";
                f.loops.push(false);
                body(h, new TreePath(p, w.getStatement()));
                f.loops.pop();
                line("}");
            }
            case DO_WHILE_LOOP -> {
                DoWhileLoopTree w = (DoWhileLoopTree) t;
                f.loops.push(false);
                body("do", new TreePath(p, w.getStatement()));
                f.loops.pop();
                line("} while (" + cond(new TreePath(p, w.getCondition())) + ");");
            }
            case BREAK -> {
                BreakTree b = (BreakTree) t;
                if (b.getLabel() != null) err(t, "labelled break is not in the kernel language");
                else if (f.loops.isEmpty()) err(t, "break outside a loop (switch is not in the kernel language)");
                else if (f.loops.peek()) err(t, "break out of a @Parallel loop: its iterations are independent (use continue, or an if)");
                line("break;");
            }
            case CONTINUE -> {
                if (((ContinueTree) t).getLabel() != null) err(t, "labelled continue is not in the kernel language");
                line("continue;");
            }
            case RETURN -> {
                ReturnTree r = (ReturnTree) t;
                if (f.kernel && f.loops.contains(true))
                    err(t, "return inside a @Parallel loop: each iteration may run on a different work-item (use continue)");
                line(r.getExpression() == null ? "return;" : "return " + expr(new TreePath(p, r.getExpression())) + ";");
            }
            case SWITCH -> err(t, "switch is not in the kernel language: use if/else");
            case LABELED_STATEMENT -> err(t, "labelled statements are not in the kernel language");
            case TRY -> err(t, "try/catch is not in the kernel language (kernels cannot throw)");
            case THROW -> err(t, "throw is not in the kernel language (kernels cannot throw)");
            case SYNCHRONIZED -> err(t, "synchronized is not in the kernel language (use ctx.atomicAdd or barriers)");
            case ENHANCED_FOR_LOOP -> err(t, "for-each loops are not in the kernel language: use for (int i = 0; i < n; i++)");
            case CLASS, RECORD, ENUM, INTERFACE -> err(t, "local classes are not in the kernel language");
            case ASSERT -> err(t, "assert is not in the kernel language");
            default -> err(t, t.getKind().toString().toLowerCase().replace('_', ' ') + " is not in the kernel language");
        }
    }

    private void variable(TreePath p, VariableTree v) {
        VariableElement e = (VariableElement) c.trees.getElement(p);
        TypeMirror type = e.asType();
        if (!f.kernel && k.isParallel(p)) err(v, "@Parallel loops belong in kernels, not helpers");
        if (type.getKind() == TypeKind.ARRAY) {
            localArray(p, v, e, (ArrayType) type);
            return;
        }
        if (!type.getKind().isPrimitive()) {
            err(v, "local variable '" + v.getName() + "' of type " + type + ": objects are not in the kernel language"
                    + (KernelUnit.paramKind(type) != null ? " (use the parameter itself)" : ""));
            return;
        }
        String decl = scalarType(type, v) + " " + local(e);
        if (v.getInitializer() != null) decl += " = " + expr(new TreePath(p, v.getInitializer()));
        line(decl + ";");
    }

    private void localArray(TreePath p, VariableTree v, VariableElement e, ArrayType type) {
        ExpressionTree init = v.getInitializer();
        Element m = init instanceof MethodInvocationTree ? c.trees.getElement(new TreePath(p, init)) : null;
        String mn = m == null ? "" : m.getSimpleName().toString();
        if (m == null || !Ctx.ownerName(m).equals("gale.compute.KernelContext") || !mn.startsWith("allocate")) {
            err(v, "arrays are not in the kernel language, except work-group local memory: float[] s = ctx.allocateFloatLocalArray(N)");
            return;
        }
        if (!f.kernel || p.getParentPath().getLeaf() != f.tree.getBody()) {
            err(v, "local memory must be allocated by a statement of the kernel's body (OpenCL declares __local arrays at kernel scope)");
            return;
        }
        MethodInvocationTree mi = (MethodInvocationTree) init;
        Long n = Consts.intValue(c, new TreePath(new TreePath(p, init), mi.getArguments().get(0)));
        if (n == null || n <= 0) {
            err(mi, "the size of local memory must be a positive compile-time constant (a literal or static final int)");
            return;
        }
        String elemType = type.getComponentType().getKind() == TypeKind.FLOAT ? "float" : "int";
        localMemory = true;
        localBytes += n * 4;
        f.localArrays.add(e);
        line(d.localArray(elemType, local(e), n) + ";");
    }

    private void forLoop(TreePath p, ForLoopTree fl) {
        KernelUnit.ParallelLoop pl = null;
        if (f.kernel) for (KernelUnit.ParallelLoop l : k.loops) if (l.tree() == fl) pl = l;
        if (pl != null) {
            String v = local(pl.var());
            String start = expr(new TreePath(p, pl.start()));
            String end = expr(new TreePath(p, pl.end()));
            Long constStep = pl.step() == null ? Long.valueOf(1) : Consts.intValue(c, new TreePath(p, pl.step()));
            String step = constStep != null && constStep == 1 ? "" : " * " + paren(expr(new TreePath(p, pl.step())));
            String first = (start.equals("0") ? "" : start + " + ") + d.id("global", pl.dim()) + step;
            String h = "for (int " + v + " = " + first + "; " + v + " < " + end + "; "
                    + v + " += " + d.id("globalSize", pl.dim()) + step + ")";
            f.loops.push(true);
            body(h, new TreePath(p, fl.getStatement()));
            f.loops.pop();
            line("}");
            return;
        }
        StringBuilder h = new StringBuilder("for (");
        String declType = null;
        for (int i = 0; i < fl.getInitializer().size(); i++) {
            StatementTree s = fl.getInitializer().get(i);
            TreePath sp = new TreePath(p, s);
            if (i > 0) h.append(", ");
            if (s instanceof VariableTree v) {
                VariableElement e = (VariableElement) c.trees.getElement(sp);
                if (!f.kernel && k.isParallel(sp)) err(v, "@Parallel loops belong in kernels, not helpers");
                if (!e.asType().getKind().isPrimitive()) { err(v, "loop variable of type " + e.asType() + " is not in the kernel language"); continue; }
                if (declType == null) { declType = scalarType(e.asType(), v); h.append(declType).append(' '); }
                h.append(local(e));
                if (v.getInitializer() != null) h.append(" = ").append(expr(new TreePath(sp, v.getInitializer())));
            } else if (s instanceof ExpressionStatementTree es) {
                h.append(expr(new TreePath(sp, es.getExpression())));
            }
        }
        h.append("; ");
        if (fl.getCondition() != null) h.append(cond(new TreePath(p, fl.getCondition())));
        h.append(";");
        for (int i = 0; i < fl.getUpdate().size(); i++) {
            ExpressionStatementTree u = fl.getUpdate().get(i);
            h.append(i == 0 ? " " : ", ").append(expr(new TreePath(new TreePath(p, u), u.getExpression())));
        }
        h.append(")");
        f.loops.push(false);
        body(h.toString(), new TreePath(p, fl.getStatement()));
        f.loops.pop();
        line("}");
    }

    // ---------------------------------------------------------------- expressions

    /** A condition; javac keeps the parentheses of if/while as a node, which C's syntax already supplies. */
    private String cond(TreePath p) {
        if (p.getLeaf() instanceof ParenthesizedTree pt) return cond(new TreePath(p, pt.getExpression()));
        return expr(p);
    }

    private String expr(TreePath p) {
        ExpressionTree t = (ExpressionTree) p.getLeaf();
        TypeMirror ty = c.trees.getTypeMirror(p);
        TypeKind tk = ty == null ? TypeKind.NONE : ty.getKind();
        if (tk == TypeKind.DOUBLE && !(isMathCall(p) && doubleAllowedIn(p))) {
            if (t instanceof LiteralTree l) err(t, "double literal " + l.getValue() + " is not in the kernel language: use float (" + l.getValue() + "f)");
            else if (isMathCall(p)) err(t, "Math." + ((MethodInvocationTree) t).getMethodSelect().toString().replaceAll(".*\\.", "")
                    + " returns double: cast it to float ((float) Math.…)");
            else err(t, "double is not in the kernel language: use float");
            return "0";
        }
        if (tk == TypeKind.DECLARED && t.getKind() != Tree.Kind.METHOD_INVOCATION) {
            String q = Ctx.qualifiedName(ty);
            if (q.equals("java.lang.String")) err(t, "String is not in the kernel language");
            else if (t.getKind() == Tree.Kind.NEW_CLASS) err(t, "`new` is not in the kernel language (objects cannot be created in kernels)");
            else if (KernelUnit.paramKind(ty) != null) err(t, "a " + ty + " may only be used as the receiver of get/set or as a helper's argument");
            else err(t, "objects (" + ty + ") are not in the kernel language");
            return "0";
        }
        switch (t.getKind()) {
            case INT_LITERAL, LONG_LITERAL, FLOAT_LITERAL, CHAR_LITERAL, BOOLEAN_LITERAL, DOUBLE_LITERAL, STRING_LITERAL, NULL_LITERAL -> {
                return literal(t, ((LiteralTree) t).getValue());
            }
            case IDENTIFIER -> { return identifier(p, (IdentifierTree) t); }
            case MEMBER_SELECT -> { return memberSelect(p, (MemberSelectTree) t); }
            case PARENTHESIZED -> { return "(" + expr(new TreePath(p, ((ParenthesizedTree) t).getExpression())) + ")"; }
            case METHOD_INVOCATION -> { return call(p, (MethodInvocationTree) t); }
            case TYPE_CAST -> { return cast(p, (TypeCastTree) t); }
            case CONDITIONAL_EXPRESSION -> {
                ConditionalExpressionTree ce = (ConditionalExpressionTree) t;
                return expr(new TreePath(p, ce.getCondition())) + " ? " + expr(new TreePath(p, ce.getTrueExpression())) + " : "
                        + expr(new TreePath(p, ce.getFalseExpression()));
            }
            case ASSIGNMENT -> {
                AssignmentTree a = (AssignmentTree) t;
                return target(new TreePath(p, a.getVariable())) + " = " + expr(new TreePath(p, a.getExpression()));
            }
            case ARRAY_ACCESS -> { return arrayAccess(p, (ArrayAccessTree) t); }
            case PREFIX_INCREMENT -> { return "++" + target(new TreePath(p, ((UnaryTree) t).getExpression())); }
            case PREFIX_DECREMENT -> { return "--" + target(new TreePath(p, ((UnaryTree) t).getExpression())); }
            case POSTFIX_INCREMENT -> { return target(new TreePath(p, ((UnaryTree) t).getExpression())) + "++"; }
            case POSTFIX_DECREMENT -> { return target(new TreePath(p, ((UnaryTree) t).getExpression())) + "--"; }
            case UNARY_MINUS, UNARY_PLUS, BITWISE_COMPLEMENT, LOGICAL_COMPLEMENT -> {
                String op = switch (t.getKind()) { case UNARY_MINUS -> "-"; case UNARY_PLUS -> "+"; case BITWISE_COMPLEMENT -> "~"; default -> "!"; };
                String x = expr(new TreePath(p, ((UnaryTree) t).getExpression()));
                return op + (x.startsWith("-") || x.startsWith("+") ? " " : "") + x;
            }
            case NEW_CLASS -> { err(t, "`new` is not in the kernel language (objects cannot be created in kernels)"); return "0"; }
            case NEW_ARRAY -> { err(t, "`new` array is not in the kernel language (local memory: ctx.allocateFloatLocalArray(N))"); return "0"; }
            case LAMBDA_EXPRESSION -> { err(t, "lambdas are not in the kernel language"); return "0"; }
            case MEMBER_REFERENCE -> { err(t, "method references are not in the kernel language"); return "0"; }
            case INSTANCE_OF -> { err(t, "instanceof is not in the kernel language"); return "0"; }
            case SWITCH_EXPRESSION -> { err(t, "switch expressions are not in the kernel language: use ?: or if/else"); return "0"; }
            default -> {
                if (t instanceof CompoundAssignmentTree ca) return compound(p, ca);
                if (t instanceof BinaryTree b) return binary(p, b, ty);
                err(t, t.getKind().toString().toLowerCase().replace('_', ' ') + " is not in the kernel language");
                return "0";
            }
        }
    }

    private boolean isMathCall(TreePath p) {
        if (!(p.getLeaf() instanceof MethodInvocationTree)) return false;
        Element e = c.trees.getElement(p);
        return e != null && Ctx.ownerName(e).equals("java.lang.Math");
    }

    /** A double Math result is fine under a cast or as another Math function's argument (both translate to float). */
    private boolean doubleAllowedIn(TreePath p) {
        TreePath q = p.getParentPath();
        while (q.getLeaf() instanceof ParenthesizedTree) q = q.getParentPath();
        if (q.getLeaf() instanceof TypeCastTree tc) return c.trees.getTypeMirror(new TreePath(q, tc.getType())).getKind() != TypeKind.DOUBLE;
        return isMathCall(q);
    }

    private String literal(Tree t, Object v) {
        switch (v) {
            case Integer i -> { return Consts.intLiteral(i); }
            case Long l -> { return d.longLiteral(l); }
            case Float x -> { return Consts.floatLiteral(x, d); }
            case Character ch -> { return Integer.toString(ch); }
            case Short s -> { return Consts.intLiteral(s); }
            case Byte b -> { return Consts.intLiteral(b); }
            case Boolean b -> { return b.toString(); }
            case Double x -> { err(t, "double constant " + x + " is not in the kernel language: use float"); return "0"; }
            case String s -> { err(t, "String is not in the kernel language"); return "0"; }
            case null -> { err(t, "null is not in the kernel language"); return "0"; }
            default -> { err(t, "constant " + v + " is not in the kernel language"); return "0"; }
        }
    }

    private String identifier(TreePath p, IdentifierTree id) {
        Element e = c.trees.getElement(p);
        if (e instanceof VariableElement ve) {
            if (ve.getConstantValue() != null) return literal(id, ve.getConstantValue());
            if (ve.getKind() == ElementKind.FIELD) {
                err(id, "static field '" + id.getName() + "' is not a compile-time constant: kernels read only static final primitive constants");
                return "0";
            }
            if (k.ctxParam != null && ve.equals(k.ctxParam)) {
                err(id, "the KernelContext may only be used as ctx.field or ctx.method(...)");
                return "0";
            }
            return local(ve);
        }
        err(id, "'" + id.getName() + "' is not in the kernel language");
        return "0";
    }

    private static final Map<String, String[]> CONTEXT_FIELDS = Map.ofEntries(
            Map.entry("globalIdx", new String[]{"global", "0"}), Map.entry("globalIdy", new String[]{"global", "1"}),
            Map.entry("globalIdz", new String[]{"global", "2"}), Map.entry("localIdx", new String[]{"local", "0"}),
            Map.entry("localIdy", new String[]{"local", "1"}), Map.entry("localIdz", new String[]{"local", "2"}),
            Map.entry("groupIdx", new String[]{"group", "0"}), Map.entry("groupIdy", new String[]{"group", "1"}),
            Map.entry("groupIdz", new String[]{"group", "2"}), Map.entry("localGroupSizeX", new String[]{"localSize", "0"}),
            Map.entry("localGroupSizeY", new String[]{"localSize", "1"}), Map.entry("localGroupSizeZ", new String[]{"localSize", "2"}),
            Map.entry("globalGroupSizeX", new String[]{"globalSize", "0"}), Map.entry("globalGroupSizeY", new String[]{"globalSize", "1"}),
            Map.entry("globalGroupSizeZ", new String[]{"globalSize", "2"}));

    private String memberSelect(TreePath p, MemberSelectTree ms) {
        Element e = c.trees.getElement(p);
        if (e instanceof VariableElement ve && ve.getConstantValue() != null) return literal(ms, ve.getConstantValue());
        if (isContext(new TreePath(p, ms.getExpression()))) {
            String[] id = CONTEXT_FIELDS.get(ms.getIdentifier().toString());
            if (id != null) return d.id(id[0], Integer.parseInt(id[1]));
        }
        if (e instanceof VariableElement ve && ve.getKind() == ElementKind.FIELD && ve.getModifiers().contains(Modifier.STATIC))
            err(ms, "static field '" + ms + "' is not a compile-time constant: kernels read only static final primitive constants");
        else if (e != null && e.getSimpleName().contentEquals("length")) err(ms, "array length is not in the kernel language: pass sizes as int parameters");
        else err(ms, "field access '" + ms + "' is not in the kernel language");
        return "0";
    }

    private boolean isContext(TreePath p) {
        if (!(p.getLeaf() instanceof IdentifierTree)) return false;
        Element e = c.trees.getElement(p);
        return e != null && k.ctxParam != null && f.kernel && e.equals(k.ctxParam);
    }

    /** An assignable place: a local (or parameter) or a local-memory element. */
    private String target(TreePath p) {
        Tree t = p.getLeaf();
        if (t instanceof ParenthesizedTree pt) return "(" + target(new TreePath(p, pt.getExpression())) + ")";
        if (t instanceof IdentifierTree id) {
            Element e = c.trees.getElement(p);
            if (e instanceof VariableElement ve && (ve.getKind() == ElementKind.LOCAL_VARIABLE || ve.getKind() == ElementKind.PARAMETER)) {
                if (ve.equals(k.ctxParam) || !ve.asType().getKind().isPrimitive()) {
                    err(t, "cannot assign '" + id.getName() + "': only primitive locals and local-memory elements are assignable");
                    return "0";
                }
                return local(ve);
            }
            err(t, "assigning '" + id.getName() + "' is not in the kernel language (only locals; static fields are constants)");
            return "0";
        }
        if (t instanceof ArrayAccessTree aa) return arrayAccess(p, aa);
        err(t, "cannot assign to " + t + (t instanceof MemberSelectTree ? " (fields are read-only in kernels)" : ""));
        return "0";
    }

    private String arrayAccess(TreePath p, ArrayAccessTree aa) {
        TreePath base = new TreePath(p, aa.getExpression());
        Element e = base.getLeaf() instanceof IdentifierTree ? c.trees.getElement(base) : null;
        if (e == null || !f.localArrays.contains(e)) {
            err(aa, "[] indexes only local-memory arrays (ctx.allocateFloatLocalArray); Gale arrays use get/set");
            return "0";
        }
        return local(e) + "[" + expr(new TreePath(p, aa.getIndex())) + "]";
    }

    private static String op(Tree.Kind k) {
        return switch (k) {
            case PLUS, PLUS_ASSIGNMENT -> "+"; case MINUS, MINUS_ASSIGNMENT -> "-"; case MULTIPLY, MULTIPLY_ASSIGNMENT -> "*";
            case DIVIDE, DIVIDE_ASSIGNMENT -> "/"; case REMAINDER, REMAINDER_ASSIGNMENT -> "%";
            case LEFT_SHIFT, LEFT_SHIFT_ASSIGNMENT -> "<<"; case RIGHT_SHIFT, RIGHT_SHIFT_ASSIGNMENT -> ">>";
            case UNSIGNED_RIGHT_SHIFT, UNSIGNED_RIGHT_SHIFT_ASSIGNMENT -> ">>>";
            case LESS_THAN -> "<"; case GREATER_THAN -> ">"; case LESS_THAN_EQUAL -> "<="; case GREATER_THAN_EQUAL -> ">=";
            case EQUAL_TO -> "=="; case NOT_EQUAL_TO -> "!="; case AND, AND_ASSIGNMENT -> "&"; case OR, OR_ASSIGNMENT -> "|";
            case XOR, XOR_ASSIGNMENT -> "^"; case CONDITIONAL_AND -> "&&"; case CONDITIONAL_OR -> "||";
            default -> null;
        };
    }

    private String binary(TreePath p, BinaryTree b, TypeMirror ty) {
        String o = op(b.getKind());
        if (o == null) { err(b, b.getKind() + " is not in the kernel language"); return "0"; }
        String l = expr(new TreePath(p, b.getLeftOperand())), r = expr(new TreePath(p, b.getRightOperand()));
        boolean isLong = ty.getKind() == TypeKind.LONG;
        switch (b.getKind()) {
            case REMAINDER -> {
                if (ty.getKind() == TypeKind.FLOAT) return d.floatFn("fmod") + "(" + l + ", " + r + ")"; // C has no float %
            }
            case LEFT_SHIFT, RIGHT_SHIFT -> { return l + " " + o + " " + shiftCount(p, b.getRightOperand(), r, isLong); }
            case UNSIGNED_RIGHT_SHIFT -> { return ushr(l, shiftCount(p, b.getRightOperand(), r, isLong), isLong); }
            default -> {}
        }
        return l + " " + o + " " + r;
    }

    /** Java masks shift counts (& 31, & 63); C leaves counts out of range undefined, so mask unless it is a constant in range. */
    private String shiftCount(TreePath p, ExpressionTree countTree, String count, boolean isLong) {
        Long v = Consts.intValue(c, new TreePath(p, countTree));
        int width = isLong ? 64 : 32;
        if (v != null && v >= 0 && v < width) return count;
        return "(" + count + " & " + (width - 1) + ")";
    }

    private String ushr(String l, String count, boolean isLong) {
        return "(" + d.scalar(isLong ? "long" : "int") + ")((" + d.unsigned(isLong) + ")" + paren(l) + " >> " + count + ")";
    }

    private String compound(TreePath p, CompoundAssignmentTree ca) {
        TreePath tp = new TreePath(p, ca.getVariable());
        String tgt = target(tp);
        String v = expr(new TreePath(p, ca.getExpression()));
        TypeMirror tt = c.trees.getTypeMirror(tp);
        boolean isLong = tt.getKind() == TypeKind.LONG;
        switch (ca.getKind()) {
            case REMAINDER_ASSIGNMENT -> {
                if (tt.getKind() == TypeKind.FLOAT || c.trees.getTypeMirror(new TreePath(p, ca.getExpression())).getKind() == TypeKind.FLOAT)
                    return tgt + " = " + d.floatFn("fmod") + "(" + tgt + ", " + v + ")";
            }
            case LEFT_SHIFT_ASSIGNMENT, RIGHT_SHIFT_ASSIGNMENT -> {
                return tgt + " " + op(ca.getKind()) + "= " + shiftCount(p, ca.getExpression(), v, isLong);
            }
            case UNSIGNED_RIGHT_SHIFT_ASSIGNMENT -> {
                boolean wide = isLong;
                return tgt + " = " + ushr(tgt, shiftCount(p, ca.getExpression(), v, wide), wide);
            }
            default -> {}
        }
        String o = op(ca.getKind());
        if (o == null) { err(ca, ca.getKind() + " is not in the kernel language"); return "0"; }
        return tgt + " " + o + "= " + v;
    }

    private String cast(TypeCastTree tc, String x, TypeKind from, TypeKind to) {
        if (to == from) return x;
        boolean fromFloat = from == TypeKind.FLOAT || from == TypeKind.DOUBLE;
        switch (to) {
            case FLOAT -> { return fromFloat ? x : "(float)" + paren(x); }
            case INT, LONG -> { return fromFloat ? d.floatToIntSat(x, to == TypeKind.LONG) : "(" + d.scalar(to.name().toLowerCase()) + ")" + paren(x); }
            case SHORT, BYTE, CHAR -> {
                String inner = fromFloat ? d.floatToIntSat(x, false) : paren(x);
                return "(" + d.scalar(to.name().toLowerCase()) + ")" + inner;
            }
            case BOOLEAN -> { return x; }
            default -> { err(tc, "cast to " + tc.getType() + " is not in the kernel language" + (to == TypeKind.DOUBLE ? " (use float)" : "")); return "0"; }
        }
    }

    private String cast(TreePath p, TypeCastTree tc) {
        TypeKind to = c.trees.getTypeMirror(new TreePath(p, tc.getType())).getKind();
        TreePath ep = new TreePath(p, tc.getExpression());
        TypeMirror fromT = c.trees.getTypeMirror(ep);
        if (to == TypeKind.DOUBLE) { err(tc, "double is not in the kernel language: use float"); return "0"; }
        if (!fromT.getKind().isPrimitive() || !c.trees.getTypeMirror(new TreePath(p, tc.getType())).getKind().isPrimitive()) {
            err(tc, "casts between object types are not in the kernel language");
            return "0";
        }
        return cast(tc, expr(ep), fromT.getKind(), to);
    }

    // ---------------------------------------------------------------- calls

    private String call(TreePath p, MethodInvocationTree mi) {
        Element el = c.trees.getElement(p);
        if (!(el instanceof ExecutableElement m)) { err(mi, "call " + mi.getMethodSelect() + " is not in the kernel language"); return "0"; }
        String owner = Ctx.ownerName(m);
        String name = m.getSimpleName().toString();
        List<? extends ExpressionTree> args = mi.getArguments();
        List<String> a = new ArrayList<>();
        TreePath recv = mi.getMethodSelect() instanceof MemberSelectTree ms ? new TreePath(new TreePath(p, ms), ms.getExpression()) : null;
        switch (owner) {
            case "gale.compute.FloatArray", "gale.compute.HalfArray", "gale.compute.ByteArray", "gale.compute.IntArray", "gale.compute.GaleArray" -> {
                return arrayCall(p, mi, owner.substring(owner.lastIndexOf('.') + 1), name, recv);
            }
            case "gale.compute.KernelContext" -> { return contextCall(p, mi, name, recv); }
            case "java.lang.Math", "java.lang.StrictMath" -> { return math(p, mi, m, name); }
            case "gale.compute.Gale" -> {
                if (name.startsWith("wrap")) return wrapping(p, m, name, args);
                for (ExpressionTree x : args) a.add(floatArg(p, x));
                switch (name) {
                    case "rsqrt" -> { return d.floatFn("rsqrt") + "(" + a.get(0) + ")"; }
                    case "fma" -> { return d.floatFn("fma") + "(" + String.join(", ", a) + ")"; }
                    case "exp" -> { return d.floatFn("exp") + "(" + a.get(0) + ")"; }
                    case "halfToFloat" -> { halfData(); return d.halfBitsToFloat(expr(new TreePath(p, args.get(0))), prelude); }
                    case "floatToHalf" -> { halfData(); return d.floatToHalfBits(a.get(0), prelude); }
                    default -> { err(mi, "Gale." + name + " is not a known intrinsic"); return "0"; }
                }
            }
            case "java.lang.Float" -> {
                String x = args.isEmpty() ? "" : expr(new TreePath(p, args.get(0)));
                switch (name) {
                    case "floatToRawIntBits" -> { return d.floatToBits(x); }
                    case "intBitsToFloat" -> { return d.bitsToFloat(x); }
                    case "isNaN" -> { return d.isNaN(x); }
                    default -> { err(mi, "Float." + name + " is not in the kernel language (supported: floatToRawIntBits, intBitsToFloat, isNaN)"); return "0"; }
                }
            }
            default -> { return helperCall(p, mi, m); }
        }
    }

    /** Gale.wrapAdd/wrapSub/wrapMul: the operation in unsigned arithmetic, where C defines overflow to wrap. */
    private String wrapping(TreePath p, ExecutableElement m, String name, List<? extends ExpressionTree> args) {
        boolean isLong = m.getParameters().get(0).asType().getKind() == TypeKind.LONG;
        String t = d.scalar(isLong ? "long" : "int"), u = d.unsigned(isLong);
        String op = switch (name) { case "wrapAdd" -> "+"; case "wrapSub" -> "-"; default -> "*"; };
        String fn = "gale_" + name.substring(4).toLowerCase(java.util.Locale.ROOT) + "_wrap" + (isLong ? "l" : "i");
        prelude.need(fn, d.helperPrefix() + t + " " + fn + "(" + t + " a, " + t + " b) {\n    return (" + t + ")((" + u + ")a " + op + " (" + u + ")b);\n}");
        List<String> a = new ArrayList<>();
        for (ExpressionTree x : args) a.add(expr(new TreePath(p, x)));
        return fn + "(" + String.join(", ", a) + ")";
    }

    private String floatArg(TreePath p, ExpressionTree x) {
        TreePath xp = new TreePath(p, x);
        TypeKind tk = c.trees.getTypeMirror(xp).getKind();
        if ((tk == TypeKind.INT || tk == TypeKind.LONG) && x instanceof LiteralTree l) return Consts.floatLiteral(((Number) l.getValue()).floatValue(), d);
        String s = expr(xp);
        return tk == TypeKind.FLOAT || tk == TypeKind.DOUBLE ? s : "(float)" + paren(s);
    }

    private String math(TreePath p, MethodInvocationTree mi, ExecutableElement m, String name) {
        List<? extends ExpressionTree> args = mi.getArguments();
        TypeKind pk = m.getParameters().isEmpty() ? TypeKind.NONE : m.getParameters().get(0).asType().getKind();
        boolean integral = pk == TypeKind.INT || pk == TypeKind.LONG;
        if (integral && (name.equals("abs") || name.equals("max") || name.equals("min"))) {
            boolean isLong = pk == TypeKind.LONG;
            String t = d.scalar(isLong ? "long" : "int");
            String fn = "gale_" + name + (isLong ? "l" : "i");
            // abs negates in unsigned arithmetic: -MIN_VALUE is undefined in C, and LLVM exploits that
            // (it folded abs(INT_MIN) % 5 to +3 where Java gives -3).
            String body = switch (name) { case "abs" -> "return x < 0 ? (" + t + ")(0 - (" + d.unsigned(isLong) + ")x) : x;"; case "max" -> "return a > b ? a : b;"; default -> "return a < b ? a : b;"; };
            String params = name.equals("abs") ? t + " x" : t + " a, " + t + " b";
            prelude.need(fn, d.helperPrefix() + t + " " + fn + "(" + params + ") {\n    " + body + "\n}");
            List<String> a = new ArrayList<>();
            for (ExpressionTree x : args) a.add(expr(new TreePath(p, x)));
            return fn + "(" + String.join(", ", a) + ")";
        }
        String generic = switch (name) {
            case "sqrt", "exp", "log", "pow", "tanh", "sin", "cos", "floor", "ceil", "fma" -> name;
            case "abs" -> "fabs"; case "max" -> "fmax"; case "min" -> "fmin";
            default -> null;
        };
        if (generic == null) {
            err(mi, "Math." + name + " is not in the kernel language (supported: sqrt, exp, log, pow, tanh, sin, cos, floor, ceil, fma, abs, max, min)");
            return "0";
        }
        List<String> a = new ArrayList<>();
        for (ExpressionTree x : args) a.add(floatArg(p, x));
        return d.floatFn(generic) + "(" + String.join(", ", a) + ")";
    }

    /** The array parameter a receiver names, or null after reporting. */
    private VariableElement arrayReceiver(TreePath recv, MethodInvocationTree mi) {
        Element e = recv != null && recv.getLeaf() instanceof IdentifierTree ? c.trees.getElement(recv) : null;
        if (e instanceof VariableElement ve && ve.getKind() == ElementKind.PARAMETER && KernelUnit.paramKind(ve.asType()) != null) return ve;
        err(mi, "a Gale array method must be called on a kernel or helper parameter (a.get(i)), not on " + (recv == null ? "this" : recv.getLeaf()));
        return null;
    }

    private String arrayCall(TreePath p, MethodInvocationTree mi, String type, String name, TreePath recv) {
        if (name.equals("length")) { err(mi, "length() is not in the kernel language: pass sizes as int parameters"); return "0"; }
        VariableElement arr = arrayReceiver(recv, mi);
        if (arr == null) return "0";
        String a = local(arr);
        List<String> x = new ArrayList<>();
        for (ExpressionTree t : mi.getArguments()) x.add(expr(new TreePath(p, t)));
        String sig = type + "." + name + "/" + x.size();
        switch (sig) {
            case "FloatArray.get/1", "IntArray.get/1", "ByteArray.get/1" -> {
                if (type.equals("ByteArray")) int8Data = true;
                return a + "[" + x.get(0) + "]";
            }
            case "FloatArray.set/2", "IntArray.set/2", "ByteArray.set/2" -> {
                if (type.equals("ByteArray")) int8Data = true;
                return a + "[" + x.get(0) + "] = " + x.get(1);
            }
            case "ByteArray.getUnsigned/1" -> { int8Data = true; return "(int)(" + d.unsignedByte() + ")" + a + "[" + x.get(0) + "]"; }
            case "ByteArray.getHalf/1" -> { halfData(); int8Data = true; return d.byteHalfLoad(a, x.get(0)); }
            case "HalfArray.getFloat/1" -> { halfData(); return d.halfLoad(a, x.get(0), prelude); }
            case "HalfArray.setFloat/2" -> { halfData(); return d.halfStore(a, x.get(0), x.get(1)); }
            case "HalfArray.getBits/1" -> { halfData(); return d.halfBitsLoad(a, x.get(0)); }
            case "HalfArray.setBits/2" -> { halfData(); return d.halfBitsStore(a, x.get(0), x.get(1)); }
            default -> {
                err(mi, type + "." + name + " is not in the kernel language (kernels use get/set, getFloat/setFloat, getBits/setBits, getUnsigned, getHalf)");
                return "0";
            }
        }
    }

    private String contextCall(TreePath p, MethodInvocationTree mi, String name, TreePath recv) {
        if (recv == null || !isContext(recv)) { err(mi, "KernelContext methods are called on the kernel's context parameter"); return "0"; }
        List<? extends ExpressionTree> args = mi.getArguments();
        switch (name) {
            case "localBarrier", "globalBarrier" -> {
                barriers = true;
                return d.barrier(name.equals("globalBarrier"));
            }
            case "atomicAdd" -> {
                atomics = true;
                VariableElement arr = arrayReceiver(new TreePath(p, args.get(0)), mi);
                if (arr == null) return "0";
                String i = expr(new TreePath(p, args.get(1))), v = expr(new TreePath(p, args.get(2)));
                return KernelUnit.paramKind(arr.asType()) == KernelParam.Kind.INT_ARRAY ? d.atomicAddInt(local(arr), i, v)
                        : d.atomicAddFloat(local(arr), i, v, prelude);
            }
            case "allocateFloatLocalArray", "allocateIntLocalArray" -> {
                err(mi, "local memory is allocated only as a declaration at the top of the kernel: float[] s = ctx." + name + "(N);");
                return "0";
            }
            default -> { err(mi, "ctx." + name + " is not in the kernel language"); return "0"; }
        }
    }

    private String helperCall(TreePath p, MethodInvocationTree mi, ExecutableElement m) {
        String what = m.getEnclosingElement().getSimpleName() + "." + m.getSimpleName();
        if (!m.getModifiers().contains(Modifier.STATIC)) {
            err(mi, "instance method call " + what + "(...) is not in the kernel language (kernels call static helpers only)");
            return "0";
        }
        TreePath hp = c.trees.getPath(m);
        if (hp == null || !(hp.getLeaf() instanceof MethodTree ht) || ht.getBody() == null) {
            err(mi, "call to " + what + "(...) is not in the kernel language (helpers must be static methods whose source is compiled with the kernel; "
                    + "maths: Math.*, Gale.*)");
            return "0";
        }
        if (visiting.contains(m) || m.equals(k.elem) && f.kernel) {
            err(mi, "recursion: " + what + " calls itself (directly or through other helpers); the kernel language has no recursion");
            return "0";
        }
        if (!done.contains(m)) {
            visiting.add(m);
            try {
                String text = function(m, hp, false);
                helperText.add(text);
            } finally {
                visiting.remove(m);
            }
            done.add(m);
        }
        List<String> a = new ArrayList<>();
        List<? extends ExpressionTree> args = mi.getArguments();
        for (int i = 0; i < args.size(); i++) {
            TreePath ap = new TreePath(p, args.get(i));
            KernelParam.Kind kind = KernelUnit.paramKind(m.getParameters().get(i).asType());
            if (kind != null && kind.isArray()) {
                VariableElement arr = arrayReceiver(ap, mi);
                a.add(arr == null ? "0" : local(arr));
            } else if (kind == KernelParam.Kind.CONTEXT) {
                err(args.get(i), "the KernelContext cannot be passed to helpers");
            } else {
                a.add(expr(ap));
            }
        }
        return names.helper(m) + "(" + String.join(", ", a) + ")";
    }

    // ---------------------------------------------------------------- small things

    private void halfData() {
        halfData = true;
        d.halfPrelude(prelude);
    }

    private String scalarType(TypeMirror t, Tree where) {
        TypeKind k = t.getKind();
        if (k == TypeKind.DOUBLE) { err(where, "double is not in the kernel language: use float"); return "float"; }
        if (!k.isPrimitive()) { err(where, "type " + t + " is not in the kernel language"); return "int"; }
        return d.scalar(k.name().toLowerCase());
    }

    private String local(Element e) {
        return f.locals.computeIfAbsent(e, x -> {
            String n = cIdent(x.getSimpleName().toString());
            return d.reserved(n) ? n + "_" : n;
        });
    }

    static String cIdent(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) b.append(ch < 128 && (Character.isLetterOrDigit(ch) || ch == '_') ? ch : '_');
        return b.toString();
    }

    static String binarySimple(Element type) {
        String q = type.toString();
        StringBuilder b = new StringBuilder(type.getSimpleName());
        for (Element e = type.getEnclosingElement(); e != null && KernelUnit.isKernelOwner(e); e = e.getEnclosingElement())
            b.insert(0, e.getSimpleName() + "$");
        return q.isEmpty() ? "" : b.toString();
    }

    /** Wraps in parentheses unless already an identifier, a number or one parenthesized/called unit. */
    static String paren(String s) {
        if (s.matches("[A-Za-z_][A-Za-z_0-9.]*|[0-9][A-Za-z_0-9.]*")) return s;
        int depth = 0, i = 0;
        if (s.matches("[A-Za-z_][A-Za-z_0-9]*\\(.*\\)")) i = s.indexOf('(');
        else if (!s.startsWith("(")) return "(" + s + ")";
        for (int j = i; j < s.length(); j++) {
            char ch = s.charAt(j);
            if (ch == '(') depth++;
            else if (ch == ')' && --depth == 0) return j == s.length() - 1 ? s : "(" + s + ")";
        }
        return "(" + s + ")";
    }

    private void line(String s) { f.out.append("    ".repeat(f.indent)).append(s).append('\n'); }

    private void err(Tree t, String msg) {
        if (report) c.error(f == null ? k.display() : f.display, t, f == null ? k.cu : f.cu, msg);
    }
}
