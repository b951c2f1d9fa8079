using Akka.TestKit;
using Akka.TestKit.Xunit2;
using TpActors.Layers.Tests.Training;
using Xunit.Abstractions;

namespace TpActors.Layers.Tests.Simulation;

/// <summary>
/// The in-test multi-actor simulation: an Akka.TestKit whose actor system runs on Akka's <see cref="TestScheduler"/>, so the
/// supervisor's phase timeouts and the ranks' collective timeouts all read virtual time, moved by the test. It stands up
/// groups of rank actors and training runs with injected faults (throw, hang, stop, in any phase) and catches a hang
/// without waiting for it: no test here waits on a real timeout.
/// </summary>
public abstract class TensorParallelTestKit(ITestOutputHelper? output = null)
    : TestKit("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"", output: output)
{
    private int _groups;

    /// <summary>The virtual clock: <see cref="TestScheduler.Advance"/> moves every timeout of the system's actors and ranks.</summary>
    protected TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    /// <summary>
    /// How far the clock moves per turn (a turn lasts at least a millisecond of real time) while a test waits for a timeout to
    /// fire. What a timeout sets off must finish before the next timeout's turn comes: a rank that timed out collects its
    /// peers' stall reports for the stall grace, and its report must reach the supervisor before the phase timeout. So a tick
    /// is a small fraction of every interval between them: 10 ms leaves a rank some 30 turns of a 300 ms grace, and 70 turns
    /// between the collective and the phase timeouts of <see cref="TrainingRuns.Settings"/>, even on a loaded machine.
    /// </summary>
    protected TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A group of <paramref name="size"/> rank actors in the test's system (test settings by default).</summary>
    protected Task<TensorParallelGroup> StartGroup(int size, RankSettings? settings = null) =>
        TensorParallelGroup.StartAsync(Sys, size, settings ?? RankGroups.Settings(), $"g{Interlocked.Increment(ref _groups)}");

    /// <summary>
    /// Waits for <paramref name="task"/>, moving the clock on by <see cref="Tick"/> at every turn: for a task that can only end
    /// through a timeout (every rank it waits on is stuck). Fails after <paramref name="realLimit"/> of real time (30 s).
    /// </summary>
    protected async Task<T> AdvanceUntil<T>(Task<T> task, TimeSpan? realLimit = null)
    {
        await Turns(task, realLimit, () => true);
        return await task;
    }

    /// <summary>
    /// Runs <paramref name="options"/> in the test's system. While an injected hang has fired and its recovery has not yet begun,
    /// the clock moves on by <see cref="Tick"/> per turn, so the hang is caught in virtual time; the rest of the run never sees
    /// the clock move, so no healthy phase can time out.
    /// </summary>
    protected async Task<TrainingResult> Train(TrainingOptions options, TimeSpan? realLimit = null)
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(FaultInjected));
        Sys.EventStream.Subscribe(events.Ref, typeof(RankRecovering));
        int hangs = 0, hangsCaught = 0;
        var run = TrainingRun.RunAsync(Sys, options);
        await Turns(run, realLimit, () =>
        {
            while (events.HasMessages)
            {
                switch (events.ReceiveOne(TimeSpan.Zero))
                {
                    case FaultInjected { Fault.Kind: FaultKind.Hang }: hangs++; break;
                    case RankRecovering { Recovery.Kind: FailureKind.Hung }: hangsCaught++; break;
                }
            }
            return hangs > hangsCaught;
        });
        return await run;
    }

    // Turns until the task ends: each turn moves the clock when `advance` says so, then yields a millisecond of real time.
    private async Task Turns(Task task, TimeSpan? realLimit, Func<bool> advance)
    {
        var limit = DateTime.UtcNow + (realLimit ?? TimeSpan.FromSeconds(30));
        while (!task.IsCompleted)
        {
            if (DateTime.UtcNow > limit) throw new TimeoutException($"The simulation did not finish within {(realLimit ?? TimeSpan.FromSeconds(30)).TotalSeconds:0} s of real time.");
            if (advance()) Clock.Advance(Tick);
            await Task.WhenAny(task, Task.Delay(1));
        }
    }
}
