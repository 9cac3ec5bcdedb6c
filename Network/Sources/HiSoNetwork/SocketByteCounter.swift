import NIOCore
import Synchronization

/// Counts what crosses the connections it is installed on, both ways, layer by layer:
///
/// - the bytes at the socket (TLS records, HTTP/2 frames, gRPC framing and protobuf together);
/// - the TLS records and the plaintext their encrypted bodies carry (``TLSRecordScanner``), so
///   `socket - plaintext` is what TLS adds;
/// - the gRPC messages and their protobuf bytes (``countMessage(bytes:)``, called by
///   ``ClientRole`` for every request it sends and every response it receives), so
///   `plaintext - protobuf - 5 x messages` is what HTTP/2 adds (frame headers, HPACK headers,
///   settings, pings and window updates), 5 bytes per message being gRPC's length prefix.
///
/// Install it through ``ClientSettings/byteCounter``; its handler sits first in the channel
/// pipeline (next to the socket). Memory: a few atomic counters, and O(1) per connection; time
/// O(1) per read or write plus O(1) per TLS record.
public final class SocketByteCounter: Sendable {
    private let receivedBytes = Atomic<UInt64>(0)
    private let sentBytes = Atomic<UInt64>(0)
    private let recordCount = Atomic<UInt64>(0)
    private let encryptedRecordCount = Atomic<UInt64>(0)
    private let plaintext = Atomic<UInt64>(0)
    private let messageCount = Atomic<UInt64>(0)
    private let protobuf = Atomic<UInt64>(0)

    /// A counter at zero.
    public init() {}

    /// Bytes read from the sockets so far.
    public var received: UInt64 { receivedBytes.load(ordering: .relaxed) }
    /// Bytes written to the sockets so far.
    public var sent: UInt64 { sentBytes.load(ordering: .relaxed) }
    /// TLS records so far, both ways.
    public var tlsRecords: UInt64 { recordCount.load(ordering: .relaxed) }
    /// Encrypted (`application_data`) TLS records so far, both ways.
    public var encryptedRecords: UInt64 { encryptedRecordCount.load(ordering: .relaxed) }
    /// Plaintext bytes inside the encrypted records so far, both ways (``TLSRecordScanner/encryptedPlaintextBytes``).
    public var tlsPlaintext: UInt64 { plaintext.load(ordering: .relaxed) }
    /// gRPC messages counted so far (requests sent and responses received).
    public var messages: UInt64 { messageCount.load(ordering: .relaxed) }
    /// Protobuf bytes of the counted messages.
    public var protobufBytes: UInt64 { protobuf.load(ordering: .relaxed) }

    /// Counts one gRPC message of `bytes` serialized protobuf bytes.
    public func countMessage(bytes: Int) {
        messageCount.add(1, ordering: .relaxed)
        protobuf.add(UInt64(bytes), ordering: .relaxed)
    }

    /// Adds the counting handler at the socket end of `channel`'s pipeline.
    public func install(on channel: any Channel) -> EventLoopFuture<Void> {
        channel.pipeline.addHandler(Handler(counter: self), position: .first)
    }

    private func add(_ before: TLSRecordScanner, _ after: TLSRecordScanner) {
        recordCount.add(after.records - before.records, ordering: .relaxed)
        encryptedRecordCount.add(after.encryptedRecords - before.encryptedRecords, ordering: .relaxed)
        plaintext.add(after.encryptedPlaintextBytes - before.encryptedPlaintextBytes, ordering: .relaxed)
    }

    /// One connection's handler. Its scanners are touched only on the channel's event loop,
    /// where NIO calls every handler method (hence `@unchecked Sendable`).
    private final class Handler: ChannelDuplexHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let counter: SocketByteCounter
        private var inbound = TLSRecordScanner()
        private var outbound = TLSRecordScanner()

        init(counter: SocketByteCounter) { self.counter = counter }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            counter.receivedBytes.add(UInt64(buffer.readableBytes), ordering: .relaxed)
            let before = inbound
            inbound.scan(buffer.readableBytesView)
            counter.add(before, inbound)
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let buffer = unwrapOutboundIn(data)
            counter.sentBytes.add(UInt64(buffer.readableBytes), ordering: .relaxed)
            let before = outbound
            outbound.scan(buffer.readableBytesView)
            counter.add(before, outbound)
            context.write(data, promise: promise)
        }
    }
}
