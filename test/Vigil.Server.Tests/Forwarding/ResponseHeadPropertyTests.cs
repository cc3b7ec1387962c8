using System.Text;
using CsCheck;
using Vigil.Server.Gateway.Forwarding;
using Vigil.Server.Tests.Properties;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>
/// Properties of the response parsing on any input: <see cref="ResponseHead.TryParse"/> and
/// <see cref="Http1Forwarder.ParseChunkSize"/> only ever answer, ask for more or refuse with
/// <see cref="UpstreamProtocolException"/>, whatever the bytes, and within a time limit; and a head read from a prefix of
/// the bytes (as they arrive from the socket) is "need more" or exactly what the whole bytes give.
/// </summary>
public sealed class ResponseHeadPropertyTests
{
    /// <summary>A run that takes longer hangs somewhere (CI's runs take a few seconds).</summary>
    private static readonly TimeSpan Limit = PropertyRuns.Long ? TimeSpan.FromMinutes(30) : TimeSpan.FromSeconds(60);

    /// <summary>Bytes biased towards what heads are made of, with any byte now and then.</summary>
    private static readonly Gen<byte> HeadByte = Gen.Frequency(
        (6, Gen.Char["HTTP/1.0 2345: \r\n\t,;=-aAcCeEhHkKlLnNoOtTuUdDgGrRsS\"\\"].Select(c => (byte)c)),
        (1, Gen.Byte));

    /// <summary>Arbitrary bytes, generated responses (which carry their own mutations), and heads cut or stretched around the size limit.</summary>
    private static readonly Gen<byte[]> Input = Gen.Frequency(
        (4, HeadByte.Array[0, 300]),
        (4, ResponseCases.Any.Select(c => c.Bytes)),
        (2, Gen.Select(ResponseCases.Any, HeadByte.Array[1, 20], Gen.Int[0, int.MaxValue], (c, junk, at) => Splice(c.Bytes, junk, at))),
        (1, Gen.Int[ResponseHead.MaxHeadSize - 40, ResponseHead.MaxHeadSize + 40].Select(size => LongHead(size))));

    [Fact]
    public async Task TryParse_AnyBytes_AnswersAsksForMoreOrRefuses()
    {
        await Task.Run(() => PropertyRuns.Sample(Gen.Select(Input, Gen.Bool), t =>
        {
            var (data, headRequest) = t;
            var head = new ResponseHead();
            bool complete;
            try
            {
                complete = head.TryParse(data, headRequest);
            }
            catch (UpstreamProtocolException)
            {
                return;
            }

            if (!complete)
            {
                Assert.True(data.Length < ResponseHead.MaxHeadSize, "a head past the limit must be refused, not waited for");
                return;
            }

            Assert.InRange(head.Length, 16, Math.Min(data.Length, ResponseHead.MaxHeadSize));
            Assert.True(data.AsSpan(0, head.Length).EndsWith("\r\n\r\n"u8));
            Assert.InRange(head.Status, 100, 999);
            Assert.Equal(head.Framing == BodyFraming.ContentLength, head.ContentLength >= 0);
            foreach (var line in head.Headers)
            {
                Assert.True(line.NameLength > 0 && line.NameStart + line.NameLength < line.ValueStart && line.ValueStart + line.ValueLength <= head.Length);
            }
        }, seed: 1, count: 40_000, longCount: 2_000_000)).WaitAsync(Limit);
    }

    [Fact]
    public async Task TryParse_AnyPrefix_AsksForMoreOrGivesWhatTheWholeGives()
    {
        await Task.Run(() => PropertyRuns.Sample(Gen.Select(Input, Gen.Int[0, int.MaxValue].Array[3], Gen.Bool), t =>
        {
            var (data, cuts, headRequest) = t;
            var whole = Read(data, headRequest);
            var points = cuts.Select(c => c % (data.Length + 1)).ToList();
            if (whole.Complete)
            {
                points.AddRange([whole.Length - 1, whole.Length]);
            }

            foreach (var at in points)
            {
                var prefix = Read(data.AsSpan(0, at).ToArray(), headRequest);
                if (prefix.Error is not null)
                {
                    Assert.True(whole.Error is not null, $"prefix of {at} bytes refused ({prefix.Error}) while the whole is not");
                }
                else if (prefix.Complete)
                {
                    Assert.Equal(whole, prefix);
                }
                else
                {
                    Assert.True(!whole.Complete || at < whole.Length, $"prefix of {at} bytes asks for more though the head ends at {whole.Length}");
                }
            }
        }, seed: 2, count: 20_000, longCount: 1_000_000)).WaitAsync(Limit);
    }

    [Fact]
    public async Task ParseChunkSize_AnyLine_GivesASizeOrRefuses()
    {
        var line = Gen.Frequency(
            (3, Gen.Char["0123456789abcdefABCDEFxX;= \t\"\\,+-"].Select(c => (byte)c).Array[0, 40]),
            (1, Gen.Byte.Array[0, 40]));
        await Task.Run(() => PropertyRuns.Sample(line, bytes =>
        {
            try
            {
                Assert.InRange(Http1Forwarder.ParseChunkSize(bytes), 0, (1L << 60) - 1);
            }
            catch (UpstreamProtocolException)
            {
            }
        }, seed: 3, count: 100_000, longCount: 5_000_000)).WaitAsync(Limit);
    }

    private sealed record Reading(bool Complete, string? Error, int Length, int Status, BodyFraming Framing, long ContentLength, bool KeepAlive, string Headers);

    private static Reading Read(byte[] data, bool headRequest)
    {
        var head = new ResponseHead();
        try
        {
            if (!head.TryParse(data, headRequest))
            {
                return new Reading(false, null, 0, 0, default, 0, false, "");
            }
        }
        catch (UpstreamProtocolException ex)
        {
            return new Reading(false, ex.Message, 0, 0, default, 0, false, "");
        }

        var headers = string.Join("|", head.Headers.Select(h => $"{h.NameStart},{h.NameLength},{h.ValueStart},{h.ValueLength}"));
        return new Reading(true, null, head.Length, head.Status, head.Framing, head.ContentLength, head.KeepAlive, headers);
    }

    private static byte[] Splice(byte[] data, byte[] junk, int at)
    {
        var position = at % (data.Length + 1);
        return [.. data.AsSpan(0, position), .. junk, .. data.AsSpan(position)];
    }

    private static byte[] LongHead(int size)
    {
        var text = new StringBuilder("HTTP/1.1 200 OK\r\nX-Long: ");
        text.Append('a', Math.Max(0, size - text.Length - 4)).Append("\r\n\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
