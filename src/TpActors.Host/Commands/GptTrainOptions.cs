using System.CommandLine;
using TpActors.Layers.Models;
using TpActors.Layers.Text;

namespace TpActors.Host.Commands;

/// <summary>
/// The options of <c>train</c> that only a GPT takes (<c>--model gpt</c>): its heads, context, text, tokenizer, loss and
/// sequence parallelism. <c>--layers</c>, <c>--hidden</c>, <c>--activation</c> and <c>--batch</c> are shared with the MLP stack.
/// </summary>
internal sealed class GptTrainOptions
{
    private readonly Option<int?> _heads = new("--heads") { Description = SettingHelp.Describe("GPT: attention heads; hidden must divide by them", "tpactors.training.gpt.heads"), HelpName = "N" };
    private readonly Option<int?> _context = new("--context") { Description = SettingHelp.Describe("GPT: tokens per sequence", "tpactors.training.gpt.context"), HelpName = "T" };
    private readonly Option<string?> _data = new("--data") { Description = SettingHelp.Describe("GPT: the UTF-8 text, a file or a directory of text files", "tpactors.training.gpt.data"), HelpName = "FILE|DIR" };
    private readonly Option<string?> _tokenizer = new("--tokenizer") { Description = SettingHelp.Describe("GPT: char (the text's characters) or gpt2 (GPT-2's BPE, 50,257 tokens)", "tpactors.training.gpt.tokenizer"), HelpName = "char|gpt2" };
    private readonly Option<float?> _labelSmoothing = new Option<float?>("--label-smoothing") { Description = SettingHelp.Describe("GPT: the loss's label smoothing", "tpactors.training.gpt.label-smoothing"), HelpName = "E" }.Float32();
    private readonly Option<bool> _tieEmbeddings = new("--tie-embeddings") { Description = SettingHelp.Describe("GPT: the LM head shares the token embedding's weights", "tpactors.training.gpt.tie-embeddings") };
    private readonly Option<bool> _sequenceParallel = new("--sequence-parallel") { Description = SettingHelp.Describe("GPT: LayerNorm and the residuals hold each rank's rows of the batch", "tpactors.training.gpt.sequence-parallel") };

    public GptTrainOptions() => _tokenizer.AcceptOnlyFromAmong(TokenizerSpec.Names);

    /// <summary>Every option, to add to the command.</summary>
    public IReadOnlyList<Option> All => [_heads, _context, _data, _tokenizer, _labelSmoothing, _tieEmbeddings, _sequenceParallel];

    /// <summary>The first of these options typed on the command line, or null.</summary>
    public Option? FirstGiven(ParseResult parse) => All.FirstOrDefault(o => Given(parse, o));

    /// <summary>
    /// <paramref name="spec"/> with what the command line sets, its char vocabulary read from the text when it has none, and
    /// sequence parallelism over <paramref name="batch"/> sequences. A resumed GPT (<paramref name="resuming"/>) keeps its
    /// tokenizer: its vocabulary is its weights' shape.
    /// </summary>
    public GptModelSpec Apply(ParseResult parse, GptModelSpec spec, int batch, bool resuming, bool sequenceParallelDefault)
    {
        string tokenizer = parse.GetValue(_tokenizer) ?? spec.Text.Tokenizer.Name;
        if (resuming && tokenizer != spec.Text.Tokenizer.Name)
            throw new ArgumentException($"--tokenizer {tokenizer}: the checkpoint's GPT reads {spec.Text.Tokenizer.Name} tokens; its vocabulary is the shape of its embedding.");
        var text = spec.Text with
        {
            Data = parse.GetValue(_data) ?? spec.Text.Data,
            Tokenizer = tokenizer == spec.Text.Tokenizer.Name ? spec.Text.Tokenizer : new TokenizerSpec(tokenizer),
        };
        if (text.Data.Length == 0) throw new ArgumentException("--data \"\": name a UTF-8 text file or a directory of them.");
        if (parse.GetValue(_data) is null && !resuming && !File.Exists(text.Data) && !Directory.Exists(text.Data))
            throw new ArgumentException($"The default text, {text.Data} (tpactors.training.gpt.data), is absent: install Debian's fortunes package " +
                "(apt-get install fortunes), or pass --data FILE|DIR with UTF-8 text.");
        bool sequenceParallel = Given(parse, _sequenceParallel) ? parse.GetValue(_sequenceParallel) : resuming ? spec.SequenceParallelTokens > 0 : sequenceParallelDefault;
        var made = spec with
        {
            Heads = parse.GetValue(_heads) ?? spec.Heads,
            Context = parse.GetValue(_context) ?? spec.Context,
            Text = text,
            LabelSmoothing = parse.GetValue(_labelSmoothing) ?? spec.LabelSmoothing,
            TieEmbeddings = Given(parse, _tieEmbeddings) ? parse.GetValue(_tieEmbeddings) : spec.TieEmbeddings,
        };
        made.Validate(); // sizes first: a bad --context is named before any text is read
        return (made with { SequenceParallelTokens = sequenceParallel ? checked(batch * made.Context) : 0 }).WithVocabulary();
    }

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
