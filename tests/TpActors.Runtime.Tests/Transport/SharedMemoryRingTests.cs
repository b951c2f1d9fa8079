using TpActors.Runtime.Transport;

namespace TpActors.Runtime.Tests.Transport;

// The /dev/shm ring between a sender and a receiver: payloads never wrap, room is freed only up to the oldest payload
// still lent, and the mapping outlives every lent payload.
public sealed unsafe class SharedMemoryRingTests
{
    [Fact]
    public void Payloads_GoAroundTheRing_WithoutWrapping()
    {
        using var sender = SharedMemoryRing.Create(4000);
        using var receiver = SharedMemoryRing.Open(sender.Path, 4000);
        Assert.False(File.Exists(sender.Path)); // both sides have it mapped: nothing is left in /dev/shm
        for (int i = 0; i < 50; i++)
        {
            var payload = Enumerable.Range(0, 900 + i).Select(n => (byte)(n * 7 + i)).ToArray();
            Assert.True(sender.TryWrite(payload, out int offset));
            Assert.True(offset + payload.Length <= 4000, $"payload {i} at {offset} runs past the ring");
            var back = new byte[payload.Length];
            receiver.Read(offset, back);
            Assert.Equal(payload, back);
        }
    }

    [Fact]
    public void RoomIsFreed_OnlyUpToTheOldestLentPayload()
    {
        using var sender = SharedMemoryRing.Create(1000);
        using var receiver = SharedMemoryRing.Open(sender.Path, 1000);
        var tokens = new List<long>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(sender.TryWrite(new byte[240], out int offset));
            receiver.Borrow(offset, 240, out long token);
            tokens.Add(token);
        }
        receiver.Release(tokens[1]); // out of order: the first is still lent, so no room yet
        Assert.False(sender.TryWrite(new byte[240], out _));
        receiver.Release(tokens[0]);
        Assert.True(sender.TryWrite(new byte[240], out int next));
        Assert.Equal(0, next); // the 40 bytes left at the end were too few, so it starts again at the front
    }

    [Fact]
    public void ALentPayload_StaysMapped_UntilReleased()
    {
        using var sender = SharedMemoryRing.Create(4096);
        var receiver = SharedMemoryRing.Open(sender.Path, 4096);
        Assert.True(sender.TryWrite([1, 2, 3, 4], out int offset));
        byte* data = receiver.Borrow(offset, 4, out long token);
        receiver.Dispose(); // the connection ended while the rank still holds the view
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, new ReadOnlySpan<byte>(data, 4).ToArray());
        receiver.Release(token); // now it is unmapped
    }

    [Theory]
    [InlineData("/tmp/tpactors-x")]
    [InlineData("/dev/shm/other")]
    [InlineData("/dev/shm/tpactors-../../etc/passwd")]
    public void OnlyTpActorsRingsUnderDevShm_AreOpened(string path) =>
        Assert.Throws<InvalidDataException>(() => SharedMemoryRing.Open(path, 1000));
}
