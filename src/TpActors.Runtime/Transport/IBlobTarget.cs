namespace TpActors.Runtime.Transport;

/// <summary>
/// Memory that a blob expected under a ticket is read into as it arrives (see <see cref="BlobStore.ExpectAsync"/>): one
/// frame per part, in order, each read straight into its part's span, so a large blob (a rank's training state) is
/// neither gathered into an array on the way nor copied out of one.
/// </summary>
public interface IBlobTarget
{
    /// <summary>How many parts the blob has.</summary>
    int Parts { get; }

    /// <summary>Where part <paramref name="index"/> goes; its length is the part's size.</summary>
    Span<byte> Part(int index);
}
