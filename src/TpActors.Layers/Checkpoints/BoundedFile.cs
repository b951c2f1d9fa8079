using TpActors.Runtime.IO;

namespace TpActors.Layers.Checkpoints;

/// <summary>Reads small files of a checkpoint (metadata.json, latest) without trusting them to be small: a device, a symlink to one, or a file that grows is cut off.</summary>
public static class BoundedFile
{
    /// <summary>The text of <paramref name="path"/> (UTF-8), or <see cref="InvalidDataException"/> when it holds more than <paramref name="limit"/> bytes.</summary>
    /// <exception cref="InvalidDataException">It is longer than the limit, or cannot be read (a symlink loop, a permission); the message names it.</exception>
    public static string ReadText(string path, int limit, string what)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            using var text = BoundedRead.ReadAll(stream, limit) ?? throw new InvalidDataException($"{path} is longer than {limit} bytes; {what}.");
            return System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path} cannot be read: {e.Message}");
        }
    }
}
