import Crypto
import Foundation

/// Record keys of type `tid` (atproto): 13 characters of base32-sortable, a 64-bit integer whose top bit is
/// 0, then 53 bits of microseconds since the epoch and 10 bits of clock id.
public enum BlueskyTID {
    static let alphabet = Array("234567abcdefghijklmnopqrstuvwxyz")

    /// The TID for a thread part, a pure function of its idempotency key, so a retry after a lost answer
    /// reuses the record key and the PDS cannot store a second copy. The timestamp bits are taken from the
    /// key's SHA-256 and kept within 2023-01-01 + 2^47 µs (about 4.5 years), so the key is a plausible
    /// TID that never lies far in the future; the 57 hashed bits make collisions negligible.
    public static func derive(from idempotencyKey: String) -> String {
        let digest = Array(SHA256.hash(data: Data(idempotencyKey.utf8)))
        var h: UInt64 = 0
        for byte in digest.prefix(8) { h = h << 8 | UInt64(byte) }
        let epoch2023: UInt64 = 1_672_531_200_000_000
        let micros = epoch2023 + ((h >> 10) & ((1 << 47) - 1))
        let clockID = h & 0x3FF
        return encode(micros << 10 | clockID)
    }

    /// Base32-sortable, 13 characters (the first carries the top bits, so it is one of `234567ab…j`).
    public static func encode(_ value: UInt64) -> String {
        var out = ""
        for i in 0..<13 {
            let shift = 60 - 5 * i
            let digit = shift >= 0 ? Int((value >> UInt64(shift)) & 31) : Int((value << UInt64(-shift)) & 31)
            out.append(alphabet[digit])
        }
        return out
    }

    /// The atproto TID syntax: `^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`.
    public static func isValid(_ text: String) -> Bool {
        let chars = Array(text)
        guard chars.count == 13, let first = alphabet.firstIndex(of: chars[0]), first < 16 else { return false }
        return chars.allSatisfy { alphabet.contains($0) }
    }
}
