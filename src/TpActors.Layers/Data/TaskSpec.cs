using TpActors.Runtime.Configuration;
namespace TpActors.Layers.Data;

/// <summary>The synthetic regression task: batches of <paramref name="Batch"/> rows drawn from <paramref name="Seed"/>, targets from a teacher <paramref name="TeacherWidth"/> wide.</summary>
/// <param name="Batch">Rows per step.</param>
/// <param name="Seed">Seeds the data, the teacher and the model's initial weights.</param>
/// <param name="TeacherWidth">The hidden width of the teacher network.</param>
public sealed record TaskSpec(int Batch, long Seed, int TeacherWidth)
{
    /// <summary>Refuses sizes that cannot make a task, naming the one that is wrong.</summary>
    public void Validate()
    {
        SettingRules.Require("tpactors.training.batch", Batch, "--batch");
        SettingRules.Require("tpactors.training.teacher-width", TeacherWidth);
    }
}
