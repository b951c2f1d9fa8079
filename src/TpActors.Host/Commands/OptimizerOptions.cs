using System.CommandLine;
using TpActors.Layers.Optimizers;

namespace TpActors.Host.Commands;

/// <summary>The options of <c>train</c> that set the optimizer and its schedule: kind, learning rate, weight decay, warm-up, cosine decay, clipping.</summary>
internal sealed class OptimizerOptions
{
    private readonly Option<string?> _optimizer = new("--optimizer") { Description = SettingHelp.Describe("The optimizer (sgd is SGD with momentum)", "tpactors.training.optimizer"), HelpName = "sgd|adamw" };
    private readonly Option<float?> _lr = new Option<float?>("--lr") { Description = SettingHelp.Describe("Learning rate (the peak, with a schedule)", "tpactors.training.lr"), HelpName = "X" }.Float32();
    private readonly Option<float?> _weightDecay = new Option<float?>("--weight-decay") { Description = SettingHelp.Describe("Weight decay (a GPT's biases and LayerNorms take none)", "tpactors.training.weight-decay"), HelpName = "X" }.Float32();
    private readonly Option<long?> _warmup = new("--warmup-steps") { Description = SettingHelp.Describe("Steps of linear warm-up to --lr", "tpactors.training.warmup-steps"), HelpName = "N" };
    private readonly Option<long?> _decay = new("--lr-decay-steps") { Description = SettingHelp.Describe("Step at which the cosine decay reaches --min-lr; 0: none", "tpactors.training.lr-decay-steps"), HelpName = "N" };
    private readonly Option<float?> _minLr = new Option<float?>("--min-lr") { Description = SettingHelp.Describe("Where the cosine decay ends", "tpactors.training.min-lr"), HelpName = "X" }.Float32();
    private readonly Option<float?> _gradClip = new Option<float?>("--grad-clip") { Description = SettingHelp.Describe("Clip gradients to this global norm over all ranks; 0: none", "tpactors.training.grad-clip"), HelpName = "X" }.Float32();

    public OptimizerOptions() => _optimizer.AcceptOnlyFromAmong("sgd", "adamw");

    /// <summary>Every option, to add to the command.</summary>
    public IReadOnlyList<Option> All => [_optimizer, _lr, _weightDecay, _warmup, _decay, _minLr, _gradClip];

    /// <summary><paramref name="spec"/> with what the command line sets.</summary>
    public OptimizerSpec Apply(ParseResult parse, OptimizerSpec spec) => spec with
    {
        Kind = parse.GetValue(_optimizer) is { } name ? OptimizerSpec.ParseKind(name) : spec.Kind,
        LearningRate = parse.GetValue(_lr) ?? spec.LearningRate,
        WeightDecay = parse.GetValue(_weightDecay) ?? spec.WeightDecay,
        WarmupSteps = parse.GetValue(_warmup) ?? spec.WarmupSteps,
        DecaySteps = parse.GetValue(_decay) ?? spec.DecaySteps,
        MinLearningRate = parse.GetValue(_minLr) ?? spec.MinLearningRate,
        GradientClip = parse.GetValue(_gradClip) ?? spec.GradientClip,
    };
}
