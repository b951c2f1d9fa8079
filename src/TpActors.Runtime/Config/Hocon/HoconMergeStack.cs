namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// A value set over an earlier value of the same key when the two cannot be merged before resolution
/// (one of them is a substitution or holds one). <see cref="Top"/> wins or merges over <see cref="Below"/>;
/// a self-referential substitution in <see cref="Top"/> (<c>a = ${a} [2]</c>) reads <see cref="Below"/>.
/// </summary>
internal sealed class HoconMergeStack(HoconNode top, HoconNode below) : HoconNode(top.Origin)
{
    public HoconNode Top { get; } = top;

    public HoconNode Below { get; } = below;

    public override bool IsResolved => false;

    public override string TypeName => Top.TypeName;

    public override HoconNode Relativize(HoconPath prefix) =>
        new HoconMergeStack(Top.Relativize(prefix), Below.Relativize(prefix));
}
