using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace GpuVae.App.Serve;

/// <summary>
/// The body of POST /api/decode: {"model": "dim2", "z": [0.5, -1.25]}, and for a conditional
/// model the class to decode as, {"z": [...], "class": 7}. "model" may be left out when one
/// model is served. Every other field is refused, so a field a server does not know cannot be
/// silently ignored; for the same reason a class sent to a plain VAE is refused, not dropped.
/// </summary>
public sealed record DecodeRequest(ExplorerModel Model, float[] Z, int? Class)
{
    /// <summary>
    /// Codes farther out than this are refused: the prior puts nothing there (|z| > 1e4 is
    /// 10,000 standard deviations), and the decoder's tanh saturates long before.
    /// </summary>
    public const double MaxMagnitude = 1e4;

    /// <summary>Parses and checks a body; throws <see cref="ApiException"/> (400) naming what is wrong.</summary>
    public static DecodeRequest Parse(string body, IReadOnlyDictionary<string, ExplorerModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (string.IsNullOrWhiteSpace(body))
        {
            throw Bad("the body is empty; send {\"z\": [numbers]}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw Bad($"the body is not JSON ({e.Message.Split(" Path:")[0].TrimEnd('.')}); send {{\"z\": [numbers]}}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad($"the body must be a JSON object like {{\"z\": [numbers]}}, got {Kind(root)}");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("model" or "z" or "class"))
                {
                    throw Bad($"unknown field \"{property.Name}\": a decode request has \"z\", optionally \"model\", and \"class\" for a cvae");
                }
            }

            var model = ChooseModel(root, models);
            if (!root.TryGetProperty("z", out var codes))
            {
                throw Bad($"\"z\" is missing: send {{\"z\": [{model.Latent} numbers]}}");
            }

            if (codes.ValueKind != JsonValueKind.Array)
            {
                throw Bad($"\"z\" must be an array of {model.Latent} numbers, got {Kind(codes)}");
            }

            int length = codes.GetArrayLength();
            if (length != model.Latent)
            {
                throw Bad($"\"z\" has length {length}; model {model.Id} has Z = {model.Latent}");
            }

            var z = new float[length];
            int i = 0;
            foreach (var element in codes.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Number)
                {
                    throw Bad($"z[{i}] is {Kind(element)}, not a number");
                }

                if (!element.TryGetDouble(out double value) || !double.IsFinite(value))
                {
                    throw Bad($"z[{i}] = {element.GetRawText()} is not a finite number");
                }

                if (Math.Abs(value) > MaxMagnitude)
                {
                    throw Bad($"z[{i}] = {value.ToString("G6", CultureInfo.InvariantCulture)} is outside [-1e4, 1e4]");
                }

                z[i++] = (float)value;
            }

            return new DecodeRequest(model, z, ChooseClass(root, model));
        }
    }

    /// <summary>The class a conditional model decodes as: required there, refused for a plain VAE.</summary>
    private static int? ChooseClass(JsonElement root, ExplorerModel model)
    {
        string range = $"0 to {model.Classes - 1}";
        if (!root.TryGetProperty("class", out var element))
        {
            return model.ReadsLabels ? throw Bad($"\"class\" is missing: model {model.Id} is a cvae; send \"class\": {range}") : null;
        }

        if (!model.ReadsLabels)
        {
            throw Bad($"\"class\" is given, but model {model.Id} is a plain VAE, which decodes z alone: leave \"class\" out");
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int label))
        {
            throw Bad($"\"class\" must be an integer {range}, got {(element.ValueKind == JsonValueKind.Number ? element.GetRawText() : Kind(element))}");
        }

        return label >= 0 && label < model.Classes
            ? label
            : throw Bad($"\"class\" = {label} is outside {range}: model {model.Id} has {model.Classes} classes");
    }

    private static ExplorerModel ChooseModel(JsonElement root, IReadOnlyDictionary<string, ExplorerModel> models)
    {
        string served = string.Join(", ", models.Keys);
        if (!root.TryGetProperty("model", out var name))
        {
            return models.Count == 1
                ? models.Values.Single()
                : throw Bad($"\"model\" is missing: this server has {served}");
        }

        if (name.ValueKind != JsonValueKind.String)
        {
            throw Bad($"\"model\" must be a string, got {Kind(name)}");
        }

        return models.TryGetValue(name.GetString()!, out var model)
            ? model
            : throw Bad($"unknown model \"{name.GetString()}\": this server has {served}");
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Null => "null",
        _ => "a number",
    };

    private static ApiException Bad(string reason) => new(StatusCodes.Status400BadRequest, reason);
}
