//! An Atlas link token's access list: the external IP addresses or CIDR blocks of the Ops
//! Manager hosts, as MongoDB's live-migration documentation asks for them.

use std::net::IpAddr;

use crate::error::Error;

/// One entry of a link token's access list: an IP address, or a CIDR block of them (MongoDB
/// asks for "an external IP address or an external CIDR block" of the source).
///
/// Its [`Display`](std::fmt::Display) is the canonical text Atlas is sent: the address as the
/// standard library writes it (IPv6 compressed, lower case), then `/prefix` for a block, such
/// as `203.0.113.7`, `198.51.100.0/24` or `2001:db8::/32`. A block keeps its prefix even when
/// it admits one address (`203.0.113.7/32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccessListEntry {
    addr: IpAddr,
    /// The block's prefix length; `None` for a bare address.
    prefix: Option<u8>,
}

impl AccessListEntry {
    /// The address, or the block's network address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The block's prefix length, or `None` for a bare address.
    pub fn prefix(&self) -> Option<u8> {
        self.prefix
    }

    /// Parses an address or a CIDR block (`addr/prefix`, decimal prefix without sign or
    /// leading zero). A block must be its network address: host bits set are refused, naming
    /// the block that holds the address.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let not_an_entry = || {
            Error::invalid_input(
                format!("\"{text}\" is not an IP address or CIDR block"),
                "Give the source's external IP address or CIDR block as Atlas sees it, such as \
                 203.0.113.7 or 198.51.100.0/24 (Cloud Manager needs none).",
            )
        };
        let Some((addr, prefix)) = text.split_once('/') else {
            let addr = text.parse::<IpAddr>().map_err(|_| not_an_entry())?;
            return Ok(Self { addr, prefix: None });
        };
        let addr = addr.parse::<IpAddr>().map_err(|_| not_an_entry())?;
        // Only plain decimal: `u8::from_str` would take "+24", and "024" is nobody's spelling.
        if prefix.is_empty()
            || !prefix.bytes().all(|b| b.is_ascii_digit())
            || (prefix.len() > 1 && prefix.starts_with('0'))
        {
            return Err(not_an_entry());
        }
        let max: u8 = if addr.is_ipv4() { 32 } else { 128 };
        let family = if addr.is_ipv4() { "IPv4" } else { "IPv6" };
        let prefix = match prefix.parse::<u8>() {
            Ok(p) if p <= max => p,
            _ => {
                return Err(Error::invalid_input(
                    format!("\"{text}\" has a prefix longer than {max} bits"),
                    format!(
                        "An {family} block's prefix is 0 to {max}, such as {}.",
                        if addr.is_ipv4() {
                            "198.51.100.0/24"
                        } else {
                            "2001:db8::/32"
                        }
                    ),
                ));
            }
        };
        let network = match addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(u32::from(32 - prefix)).unwrap_or(0);
                IpAddr::V4((u32::from(a) & mask).into())
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(u32::from(128 - prefix)).unwrap_or(0);
                IpAddr::V6((u128::from(a) & mask).into())
            }
        };
        if network != addr {
            let meant = Self {
                addr: network,
                prefix: Some(prefix),
            };
            return Err(Error::invalid_input(
                format!(
                    "\"{text}\" is not a CIDR block: its host bits are set (did you mean \
                     {meant}?)"
                ),
                format!(
                    "Give the block by its network address, such as {meant}, or the address \
                     alone, {addr}."
                ),
            ));
        }
        Ok(Self {
            addr,
            prefix: Some(prefix),
        })
    }
}

impl From<IpAddr> for AccessListEntry {
    fn from(addr: IpAddr) -> Self {
        Self { addr, prefix: None }
    }
}

impl std::fmt::Display for AccessListEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.prefix {
            Some(prefix) => write!(f, "{}/{prefix}", self.addr),
            None => write!(f, "{}", self.addr),
        }
    }
}

impl std::str::FromStr for AccessListEntry {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

/// Checks access-list entries (IP addresses and CIDR blocks) before anything is sent, and
/// writes them the one way Atlas reads them. Blank entries are skipped.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the first bad entry: not
/// an address or block, a block with host bits set (naming the block meant), or a prefix
/// longer than 32 (IPv4) or 128 (IPv6).
pub fn parse_access_list(raw: &[String]) -> Result<Vec<AccessListEntry>, Error> {
    raw.iter()
        .map(|entry| entry.trim())
        .filter(|entry| !entry.is_empty())
        .map(AccessListEntry::parse)
        .collect()
}
