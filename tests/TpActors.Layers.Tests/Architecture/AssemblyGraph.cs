using System.Reflection;
using System.Reflection.Emit;

namespace TpActors.Layers.Tests.Architecture;

/// <summary>
/// What the compiled code of an assembly refers to, read from its metadata and IL (not its source, so comments and unused
/// usings do not count, and a call inside a lambda or an async method counts for the type that wrote it): for each of its
/// types, the types its signatures name and the members its method bodies use.
/// </summary>
internal sealed class AssemblyGraph
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Each type of the assembly (nested and compiler-made types under the type that declares them) and the members and types it uses.</summary>
    public IReadOnlyDictionary<Type, HashSet<MemberInfo>> Uses { get; }

    public AssemblyGraph(Assembly assembly)
    {
        var uses = new Dictionary<Type, HashSet<MemberInfo>>();
        foreach (var type in assembly.GetTypes())
        {
            var owner = Outermost(type);
            if (!uses.TryGetValue(owner, out var set)) uses[owner] = set = [];
            Collect(type, set);
        }
        Uses = uses;
    }

    /// <summary>The outermost type that declares <paramref name="type"/> (itself when it is not nested).</summary>
    public static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    /// <summary>The types <paramref name="member"/> names: a type itself, or a member's declaring type, with their generic arguments.</summary>
    public static IEnumerable<Type> TypesOf(MemberInfo member)
    {
        var types = new List<Type>();
        switch (member)
        {
            case Type type: AddType(type, types); break;
            case MethodInfo method:
                if (method.DeclaringType is { } declaring) AddType(declaring, types);
                if (method.IsGenericMethod) foreach (var argument in method.GetGenericArguments()) AddType(argument, types);
                break;
            default:
                if (member.DeclaringType is { } owner) AddType(owner, types);
                break;
        }
        return types;
    }

    private static void AddType(Type type, List<Type> types)
    {
        if (type.HasElementType) { AddType(type.GetElementType()!, types); return; }
        if (type.IsGenericParameter) return;
        types.Add(type.IsGenericType ? type.GetGenericTypeDefinition() : type);
        if (type.IsGenericType) foreach (var argument in type.GetGenericArguments()) AddType(argument, types);
    }

    private static void Collect(Type type, HashSet<MemberInfo> set)
    {
        if (type.BaseType is { } baseType) set.Add(baseType);
        foreach (var face in type.GetInterfaces()) set.Add(face);
        foreach (var field in type.GetFields(Everything)) set.Add(field.FieldType);
        foreach (var property in type.GetProperties(Everything)) set.Add(property.PropertyType);
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info) set.Add(info.ReturnType);
            foreach (var parameter in method.GetParameters()) set.Add(parameter.ParameterType);
            CollectBody(method, set);
        }
    }

    // Walks the method's IL and adds every type, method and field a token in it names.
    private static void CollectBody(MethodBase method, HashSet<MemberInfo> set)
    {
        var body = method.GetMethodBody();
        if (body is null) return;
        foreach (var local in body.LocalVariables) set.Add(local.LocalType);
        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                    int token = BitConverter.ToInt32(il, at);
                    try
                    {
                        if (method.Module.ResolveMember(token, typeArguments, methodArguments) is { } member) set.Add(member);
                    }
                    catch (ArgumentException)
                    {
                        // A token whose generic context the reflection API cannot rebuild: its open form is enough.
                    }
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }
}
