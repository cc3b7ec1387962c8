using System.Numerics;
using System.Security.Cryptography;

namespace Vigil.Policy.Builtins.Security;

/// <summary>
/// RSASSA-PSS verification with the salt length read from the signature (Go's PSSSaltLengthAuto, RFC 8017 9.1.2),
/// which .NET's RSA.VerifyHash does not offer (it assumes salt length = hash length).
/// </summary>
internal static class RsaPss
{
    public static bool Verify(RSA rsa, HashAlgorithmName hash, byte[] digest, byte[] signature)
    {
        var p = rsa.ExportParameters(includePrivateParameters: false);
        var n = new BigInteger(p.Modulus, isUnsigned: true, isBigEndian: true);
        var e = new BigInteger(p.Exponent, isUnsigned: true, isBigEndian: true);
        var k = p.Modulus!.AsSpan().TrimStart((byte)0).Length;
        if (signature.Length != k || n.IsZero)
        {
            return false;
        }

        var s = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (s >= n)
        {
            return false;
        }

        var m = BigInteger.ModPow(s, e, n);
        var modBits = (int)n.GetBitLength();
        var emBits = modBits - 1;
        var emLen = (emBits + 7) / 8;
        var mBytes = m.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (mBytes.Length > emLen)
        {
            return false;
        }

        var em = new byte[emLen];
        mBytes.CopyTo(em, emLen - mBytes.Length);
        var hLen = digest.Length;
        if (emLen < hLen + 2 || em[^1] != 0xbc)
        {
            return false;
        }

        var dbLen = emLen - hLen - 1;
        var maskedDb = em.AsSpan(0, dbLen);
        var h = em.AsSpan(dbLen, hLen).ToArray();
        var topBits = (8 * emLen) - emBits;
        var topMask = (byte)(0xFF >> topBits);
        if ((maskedDb[0] & ~topMask) != 0)
        {
            return false;
        }

        var db = Mgf1(hash, h, dbLen);
        for (var i = 0; i < dbLen; i++)
        {
            db[i] ^= maskedDb[i];
        }

        db[0] &= topMask;
        var psLen = 0;
        while (psLen < dbLen && db[psLen] == 0)
        {
            psLen++;
        }

        if (psLen == dbLen || db[psLen] != 0x01)
        {
            return false;
        }

        var salt = db.AsSpan(psLen + 1);
        var mPrime = new byte[8 + hLen + salt.Length];
        digest.CopyTo(mPrime, 8);
        salt.CopyTo(mPrime.AsSpan(8 + hLen));
        return CryptographicOperations.FixedTimeEquals(JoseKey.Hash(hash, mPrime), h);
    }

    private static byte[] Mgf1(HashAlgorithmName hash, byte[] seed, int length)
    {
        var output = new byte[length];
        var counter = new byte[4];
        var offset = 0;
        for (uint c = 0; offset < length; c++)
        {
            counter[0] = (byte)(c >> 24);
            counter[1] = (byte)(c >> 16);
            counter[2] = (byte)(c >> 8);
            counter[3] = (byte)c;
            var block = JoseKey.Hash(hash, [.. seed, .. counter]);
            var take = Math.Min(block.Length, length - offset);
            block.AsSpan(0, take).CopyTo(output.AsSpan(offset));
            offset += take;
        }

        return output;
    }
}
