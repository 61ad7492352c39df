//! DER, read by hand where the typed decoders do not reach: one TLV, the signed part of a
//! certificate, an RSA modulus's size. A leaf: it knows no other module of the crate.

/// Reads one DER TLV: returns (tag, header + value length, value). Definite lengths only.
pub(crate) fn read_tlv(input: &[u8]) -> Option<(u8, usize, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | b as usize);
        (len, 2 + n)
    };
    let value = input.get(header..header.checked_add(len)?)?;
    Some((tag, header + len, value))
}

/// The exact signed bytes: the first element of the outer SEQUENCE, header included.
pub(crate) fn tbs_bytes(der: &[u8]) -> Option<&[u8]> {
    let (_, _, outer) = read_tlv(der)?;
    let (_, tbs_len, _) = read_tlv(outer)?;
    outer.get(..tbs_len)
}

pub(crate) fn rsa_modulus_bits(rsa_public_key: &[u8]) -> Option<usize> {
    let (_, _, seq) = read_tlv(rsa_public_key)?;
    let (_, _, modulus) = read_tlv(seq)?;
    let first_nonzero = modulus.iter().position(|&b| b != 0)?;
    let significant = &modulus[first_nonzero..];
    Some(significant.len() * 8 - significant[0].leading_zeros() as usize)
}
