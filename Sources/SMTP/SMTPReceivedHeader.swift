/// Our `Received:` field, as the Perl milter writes it at the top of each
/// relayed message: the client of this connection (the MTA that hands us
/// the mail, not the XFORWARD client), our server name and the queue id.
///
///     from <helo> (<client name> [<client address>])
///         by <server_name> (Authentication Milter) with ESMTP
///         id <queue id>;
///         <date>
public enum SMTPReceivedHeader {
    public static func value(helo: String, clientName: String, clientAddress: String, serverName: String,
                             queueID: SMTPQueueID, date: String) -> String {
        "from \(helo) (\(clientName) [\(clientAddress)])\r\n"
            + "    by \(serverName) (Authentication Milter) with ESMTP\r\n"
            + "    id \(queueID);\r\n"
            + "    \(date)"
    }
}
