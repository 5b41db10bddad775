// The conformance table of the event-pattern language: each row is a pattern, an event and
// whether the pattern matches the event. The rows come from the examples of AWS's EventBridge
// documentation (the page is named above each group), from the README of Event Ruler (the
// library EventBridge matches with), and from the envelopes shardpipe delivers (CONTRACT
// section 3).
#pragma once

#include <string_view>

namespace shardpipe::filter::conformance {

struct MatchCase {
  std::string_view name;  // unique; letters, digits and '_' (a test name)
  std::string_view pattern;
  std::string_view event;
  bool matches;
};

// "Event patterns in Amazon EventBridge": the EC2 state-change event.
inline constexpr std::string_view kEc2Event = R"({
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}})";

// "Event patterns in Amazon EventBridge": the (truncated) Macie alert.
inline constexpr std::string_view kMacieEvent = R"({
  "version": "0", "detail-type": "Macie Alert", "source": "aws.macie",
  "resources": ["arn:aws:macie:us-east-1:123456789012:trigger/trigger_id/alert/alert_id",
                "arn:aws:macie:us-east-1:123456789012:trigger/trigger_id"],
  "detail": {"notification-type": "ALERT_CREATED", "tags": ["Custom_Alert", "Insider"],
             "risk-score": 80, "trigger": {"alert-type": "basic", "risk": 8}}})";

// "Matching null values and empty strings in Amazon EventBridge event patterns".
inline constexpr std::string_view kAutoScalingEvent = R"({
  "version": "0", "detail-type": "EC2 Instance Launch Successful", "source": "aws.autoscaling",
  "resources": [], "detail": {"eventVersion": "", "responseElements": null}})";

// Event Ruler's README example event (the numeric, exists and complex examples use it).
inline constexpr std::string_view kRulerEvent = R"({
  "version": "0", "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "012345679012", "time": "2017-10-02T16:24:49Z", "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {"c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33",
             "instance-id": "i-000000aaaaaa00000", "state": "running"}})";

// "Amazon EventBridge Pipes event filtering": a Kinesis record with JSON data.
inline constexpr std::string_view kKinesisEvent = R"({
  "kinesisSchemaVersion": "1.0", "partitionKey": "1",
  "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
  "data": {"City": "Seattle", "State": "WA", "Temperature": "46", "Month": "December"},
  "approximateArrivalTimestamp": 1545084650.987, "eventSource": "aws:kinesis",
  "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
  "eventName": "aws:kinesis:record", "awsRegion": "us-east-2"})";

// The same record as it flows through a pipe: data base64-encoded
// ({"City":"Seattle","State":"WA"}).
inline constexpr std::string_view kKinesisBase64Event = R"({
  "partitionKey": "1", "eventSource": "aws:kinesis",
  "data": "eyJDaXR5IjoiU2VhdHRsZSIsIlN0YXRlIjoiV0EifQ=="})";

// The same with data that is not JSON ("Hello, this is a test.").
inline constexpr std::string_view kKinesisTextEvent = R"({
  "partitionKey": "1", "eventSource": "aws:kinesis",
  "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="})";

// shardpipe: a local-log envelope with data_encoding: json.
inline constexpr std::string_view kLocalJsonEnvelope = R"({"eventSource":"shardpipe:local",
  "eventID":"shardId-000000000000:00000000000000000042","eventName":"aws:kinesis:record",
  "eventVersion":"1.0","eventSourceARN":"local:orders","awsRegion":"local",
  "partitionKey":"customer-7","sequenceNumber":"00000000000000000042",
  "approximateArrivalTimestamp":1795341600.250000,
  "data":{"status":"paid","order":{"id":"o-1","amount":42.5,"currency":"EUR",
          "items":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}]},"client_ip":"192.168.1.20"}})";

// shardpipe: the same record with data_encoding: text (the JSON line as a string).
inline constexpr std::string_view kLocalTextEnvelope = R"({"eventSource":"shardpipe:local",
  "partitionKey":"customer-7","data":"{\"status\":\"paid\",\"order\":{\"id\":\"o-1\"}}"})";

// shardpipe: data_encoding: base64 of {"status":"paid","order":{"id":"o-1"}}.
inline constexpr std::string_view kLocalBase64Envelope = R"({"eventSource":"shardpipe:local",
  "partitionKey":"customer-7","data":"eyJzdGF0dXMiOiJwYWlkIiwib3JkZXIiOnsiaWQiOiJvLTEifX0="})";

// shardpipe: a Kafka envelope with data_encoding: json.
inline constexpr std::string_view kKafkaEnvelope = R"({"eventSource":"SelfManagedKafka",
  "eventID":"payments-3:1500","bootstrapServers":"broker1:9092","topic":"payments",
  "partition":3,"offset":1500,"timestamp":1795341600250,"timestampType":"CREATE_TIME",
  "key":"order-981","value":{"amount":150,"currency":"EUR","refunded":false,"note":null},
  "headers":[{"trace":"abc"}]})";

// shardpipe: a DynamoDB Streams record, as DynamoDB Streams gives it.
inline constexpr std::string_view kDynamoDbRecord =
    R"({"eventID":"c4ca4238a0b9","eventName":"MODIFY",
  "eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"eu-west-1",
  "dynamodb":{"ApproximateCreationDateTime":1795341600,
    "Keys":{"pk":{"S":"order#o-1"}},
    "NewImage":{"pk":{"S":"order#o-1"},"status":{"S":"paid"},"amount":{"N":"150.5"},
      "active":{"BOOL":true},"note":{"NULL":true},"tags":{"SS":["vip","new"]},
      "scores":{"NS":["7","12"]},
      "address":{"M":{"city":{"S":"Paris"},"zip":{"S":"75001"}}},
      "lines":{"L":[{"M":{"sku":{"S":"A-1"},"qty":{"N":"2"}}},{"M":{"sku":{"S":"B-7"},"qty":{"N":"1"}}}]}},
    "OldImage":{"pk":{"S":"order#o-1"},"status":{"S":"pending"},"amount":{"N":"150.5"}},
    "SequenceNumber":"111","SizeBytes":26,"StreamViewType":"NEW_AND_OLD_IMAGES"},
  "eventSourceARN":"arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026"})";

inline constexpr MatchCase kMatchCases[] = {
    // --- "Event patterns in Amazon EventBridge" (eb-event-patterns) ---
    {"Ec2TerminationPattern",
     R"({"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}})",
     kEc2Event, true},
    {"EveryNamedFieldMustMatch",
     R"({"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["running"]}})",
     kEc2Event, false},
    {"ValuesInAListAreAlternatives", R"({"source":["aws.ec2","aws.fargate"]})", kEc2Event, true},
    {"NoValueOfTheListMatches", R"({"source":["aws.fargate","aws.ecs"]})", kEc2Event, false},
    {"FieldMissingFromTheEvent", R"({"detail":{"previous-state":["running"]}})", kEc2Event, false},
    {"FieldsMustHaveTheSameNesting", R"({"state":["terminated"]})", kEc2Event, false},
    {"StringsAreCaseSensitive", R"({"source":["AWS.EC2"]})", kEc2Event, false},
    {"OtherFieldsOfTheEventAreIgnored", R"({"region":["us-west-1"]})", kEc2Event, true},
    {"MacieRiskScoreAndTriggerRisk",
     R"({"source":["aws.macie"],"detail-type":["Macie Alert"],"detail":{"risk-score":[80],"trigger":{"risk":[8]}}})",
     kMacieEvent, true},
    {"MacieOtherRiskScore", R"({"source":["aws.macie"],"detail":{"risk-score":[81]}})", kMacieEvent,
     false},
    {"NumberDoesNotMatchItsString", R"({"detail":{"risk-score":["80"]}})", kMacieEvent, false},
    {"StringDoesNotMatchANumber", R"({"detail":{"notification-type":[80]}})", kMacieEvent, false},
    {"FieldMatchingNull",
     R"({"source":["aws.autoscaling"],"detail-type":["EC2 Instance Launch Successful"],"detail":{"responseElements":[null]}})",
     kAutoScalingEvent, true},

    // --- "Matching null values and empty strings in Amazon EventBridge event patterns" ---
    {"EmptyStringMatchesEmptyString", R"({"detail":{"eventVersion":[""]}})", kAutoScalingEvent,
     true},
    {"NullMatchesNull", R"({"detail":{"responseElements":[null]}})", kAutoScalingEvent, true},
    {"NullDoesNotMatchEmptyString", R"({"detail":{"eventVersion":[null]}})", kAutoScalingEvent,
     false},
    {"EmptyStringDoesNotMatchNull", R"({"detail":{"responseElements":[""]}})", kAutoScalingEvent,
     false},
    {"NullDoesNotMatchAMissingField", R"({"detail":{"errorCode":[null]}})", kAutoScalingEvent,
     false},

    // --- "Arrays in Amazon EventBridge event patterns" ---
    {"ArrayIntersectionIsNotEmpty",
     R"({"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"]})",
     R"({"resources":["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate","arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]})",
     true},
    {"ArrayIntersectionIsEmpty",
     R"({"resources":["arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]})",
     R"({"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]})", false},
    {"EmptyEventArrayMatchesNoValue", R"({"resources":["a"]})", kAutoScalingEvent, false},
    {"ArrayOfTagsMatchesOneTag", R"({"detail":{"tags":["Insider"]}})", kMacieEvent, true},

    // --- Event Ruler README, "JSON Array Matching" ---
    {"ObjectsInAnArrayMatchOneElement", R"({"employees":{"firstName":["Anna"]}})",
     R"({"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"},{"firstName":"Peter","lastName":"Jones"}]})",
     true},
    {"FieldsOfOneElementMatchTogether",
     R"({"employees":{"firstName":["Anna"],"lastName":["Smith"]}})",
     R"({"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"},{"firstName":"Peter","lastName":"Jones"}]})",
     true},
    {"FieldsOfDifferentElementsDoNotMatch",
     R"({"employees":{"firstName":["Anna"],"lastName":["Jones"]}})",
     R"({"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"},{"firstName":"Peter","lastName":"Jones"}]})",
     false},
    {"NestedArraysAreFlattened", R"({"employees":{"firstName":["Peter"]}})",
     R"({"employees":[[{"firstName":"John"},{"firstName":"Anna"}],[{"firstName":"Peter"}]]})",
     true},

    // --- "Content filtering in Amazon EventBridge event patterns": prefix, suffix, case ---
    {"PrefixMatches", R"({"time":[{"prefix":"2017-10-02"}]})", R"({"time":"2017-10-02T18:43:48Z"})",
     true},
    {"PrefixDoesNotMatch", R"({"time":[{"prefix":"2017-10-02"}]})",
     R"({"time":"2017-10-03T18:43:48Z"})", false},
    {"PrefixOnlyAppliesToStrings", R"({"count":[{"prefix":"1"}]})", R"({"count":10})", false},
    {"PrefixIgnoringCase", R"({"service":[{"prefix":{"equals-ignore-case":"eventb"}}]})",
     R"({"service":"EventBridge"})", true},
    {"PrefixIgnoringCaseDoesNotMatch",
     R"({"service":[{"prefix":{"equals-ignore-case":"eventb"}}]})", R"({"service":"Lambda"})",
     false},
    {"SuffixMatches", R"({"FileName":[{"suffix":".png"}]})", R"({"FileName":"image.png"})", true},
    {"SuffixDoesNotMatch", R"({"FileName":[{"suffix":".png"}]})", R"({"FileName":"image.jpg"})",
     false},
    {"SuffixIsCaseSensitive", R"({"FileName":[{"suffix":".png"}]})", R"({"FileName":"IMAGE.PNG"})",
     false},
    {"SuffixIgnoringCase", R"({"service":[{"suffix":{"equals-ignore-case":"tbridge"}}]})",
     R"({"service":"EVENTBRIDGE"})", true},
    {"SuffixIgnoringCaseDoesNotMatch",
     R"({"service":[{"suffix":{"equals-ignore-case":"tbridge"}}]})", R"({"service":"EventBus"})",
     false},
    {"EqualsIgnoreCase", R"({"Name":[{"equals-ignore-case":"alice"}]})", R"({"Name":"ALICE"})",
     true},
    {"EqualsIgnoreCaseNeedsTheWholeString", R"({"Name":[{"equals-ignore-case":"alice"}]})",
     R"({"Name":"Alicia"})", false},
    {"EqualsExactString", R"({"Name":["Alice"]})", R"({"Name":"Alice"})", true},
    {"EmptyLastName", R"({"LastName":[""]})", R"({"LastName":""})", true},
    {"NonEmptyLastName", R"({"LastName":[""]})", R"({"LastName":"Smith"})", false},
    {"PaymentTypeCreditOrDebit", R"({"PaymentType":["Credit","Debit"]})",
     R"({"PaymentType":"Debit"})", true},
    {"PaymentTypeNeitherCreditNorDebit", R"({"PaymentType":["Credit","Debit"]})",
     R"({"PaymentType":"Cash"})", false},

    // --- "Content filtering ...": anything-but ---
    {"AnythingButString", R"({"detail":{"state":[{"anything-but":"initializing"}]}})", kRulerEvent,
     true},
    {"AnythingButTheExcludedString", R"({"detail":{"state":[{"anything-but":"running"}]}})",
     kRulerEvent, false},
    {"AnythingButNumber", R"({"detail":{"x-limit":[{"anything-but":123}]}})", kRulerEvent, true},
    {"AnythingButTheExcludedNumber", R"({"detail":{"c-count":[{"anything-but":5}]}})", kRulerEvent,
     false},
    {"AnythingButStringList", R"({"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}})",
     kRulerEvent, true},
    {"AnythingButStringListExcludes",
     R"({"detail":{"state":[{"anything-but":["stopped","running"]}]}})", kRulerEvent, false},
    {"AnythingButNumberList", R"({"detail":{"x-limit":[{"anything-but":[100,200,300]}]}})",
     kRulerEvent, true},
    {"AnythingButNumberListExcludes", R"({"detail":{"d-count":[{"anything-but":[1,2,3]}]}})",
     kRulerEvent, false},
    {"AnythingButPrefix", R"({"detail":{"state":[{"anything-but":{"prefix":"init"}}]}})",
     kRulerEvent, true},
    {"AnythingButPrefixExcludes", R"({"detail":{"state":[{"anything-but":{"prefix":"init"}}]}})",
     R"({"detail":{"state":"initializing"}})", false},
    {"AnythingButSuffix", R"({"FileName":[{"anything-but":{"suffix":".png"}}]})",
     R"({"FileName":"photo.jpg"})", true},
    {"AnythingButSuffixExcludes", R"({"FileName":[{"anything-but":{"suffix":".png"}}]})",
     R"({"FileName":"photo.png"})", false},
    {"AnythingButIgnoringCaseExcludes",
     R"({"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]})",
     R"({"state":"INITIALIZING"})", false},
    {"AnythingButIgnoringCase",
     R"({"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]})",
     R"({"state":"running"})", true},
    {"AnythingButIgnoringCaseList",
     R"({"state":[{"anything-but":{"equals-ignore-case":["initializing","Stopped"]}}]})",
     R"({"state":"stopped"})", false},
    {"AnythingButWildcard", R"({"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]})",
     R"({"FilePath":"/user/bin/tool"})", true},
    {"AnythingButWildcardExcludes", R"({"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]})",
     R"({"FilePath":"/user/lib/libz.so"})", false},
    {"AnythingButNeedsTheField", R"({"Weather":[{"anything-but":"Raining"}]})",
     R"({"Day":"Monday"})", false},
    {"AnythingButOneElementOfAnArray", R"({"state":[{"anything-but":"stopped"}]})",
     R"({"state":["stopped","running"]})", true},
    {"AnythingButEveryElementExcluded", R"({"state":[{"anything-but":"stopped"}]})",
     R"({"state":["stopped","stopped"]})", false},

    // --- "Content filtering ...": numeric ---
    {"NumericExample",
     R"({"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}})",
     kRulerEvent, true},
    {"NumericUpperBoundIsInclusive", R"({"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}})",
     kRulerEvent, true},
    {"NumericUpperBoundExceeded", R"({"detail":{"c-count":[{"numeric":[">",0,"<",5]}]}})",
     kRulerEvent, false},
    {"NumericLowerBoundIsExclusive", R"({"price":[{"numeric":[">",10,"<=",20]}]})",
     R"({"price":10})", false},
    {"NumericInsideTheRange", R"({"price":[{"numeric":[">",10,"<=",20]}]})", R"({"price":20})",
     true},
    {"NumericAtLeast", R"({"price":[{"numeric":[">=",10]}]})", R"({"price":10})", true},
    {"NumericEqualsComparesNumbers", R"({"price":[{"numeric":["=",100]}]})", R"({"price":1.0e2})",
     true},
    {"NumericOnlyMatchesNumbers", R"({"price":[{"numeric":["=",100]}]})", R"({"price":"100"})",
     false},
    {"NumericNegativeValues", R"({"delta":[{"numeric":["<",0]}]})", R"({"delta":-0.5})", true},
    {"NumericAnyElementOfAnArray", R"({"sizes":[{"numeric":[">",100]}]})",
     R"({"sizes":[3,50,250]})", true},

    // --- "Content filtering ...": IP address matching ---
    {"CidrIpv4Inside", R"({"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}})",
     R"({"detail":{"sourceIPAddress":"10.0.0.24"}})", true},
    {"CidrIpv4Outside", R"({"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}})",
     R"({"detail":{"sourceIPAddress":"10.0.1.24"}})", false},
    {"CidrRulerExample", R"({"detail":{"source-ip":[{"cidr":"10.0.0.0/8"}]}})", kRulerEvent, true},
    {"CidrIpv6Inside", R"({"ip":[{"cidr":"2001:db8::/32"}]})", R"({"ip":"2001:db8:1234::1"})",
     true},
    {"CidrIpv6Outside", R"({"ip":[{"cidr":"2001:db8::/32"}]})", R"({"ip":"2001:db9::1"})", false},
    {"CidrFamiliesDoNotMix", R"({"ip":[{"cidr":"0.0.0.0/0"}]})", R"({"ip":"::1"})", false},
    {"CidrNeedsAnAddress", R"({"ip":[{"cidr":"10.0.0.0/8"}]})", R"({"ip":"ten"})", false},

    // --- "Content filtering ...": exists ---
    {"ExistsFalseOnAMissingField", R"({"detail":{"c-count":[{"exists":false}]}})",
     R"({"detail":{"state":["initializing","running"]}})", true},
    {"ExistsFalseOnAnIntermediateNode", R"({"detail":{"c-count":[{"exists":false}]}})",
     R"({"detail":{"state":["initializing","running"],"c-count":{"c1":100}}})", true},
    {"ExistsFalseOnAPresentField", R"({"detail":{"c-count":[{"exists":false}]}})", kRulerEvent,
     false},
    {"ExistsTrueOnAPresentField", R"({"detail":{"c-count":[{"exists":true}]}})", kRulerEvent, true},
    {"ExistsTrueOnAMissingField", R"({"detail":{"e-count":[{"exists":true}]}})", kRulerEvent,
     false},
    {"ExistsTrueOnAnIntermediateNode", R"({"detail":{"c-count":[{"exists":true}]}})",
     R"({"detail":{"c-count":{"c1":100}}})", false},
    {"ExistsTrueOnANullValue", R"({"ProductName":[{"exists":true}]})", R"({"ProductName":null})",
     true},
    {"ExistsFalseOnAnEmptyArray", R"({"resources":[{"exists":false}]})", kAutoScalingEvent, true},

    // --- "Content filtering ...": wildcard ---
    {"WildcardEventBusArn",
     R"({"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]})",
     R"({"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"})", true},
    {"WildcardOtherRegion",
     R"({"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]})",
     R"({"EventBusArn":"arn:aws:events:us-west-2:123456789012:event-bus/default"})", false},
    {"WildcardPngInDir", R"({"FileName":[{"wildcard":"dir/*.png"}]})",
     R"({"FileName":"dir/summer/beach.png"})", true},
    {"WildcardPngElsewhere", R"({"FileName":[{"wildcard":"dir/*.png"}]})",
     R"({"FileName":"other/beach.png"})", false},
    {"WildcardInTheMiddle", R"({"title":[{"wildcard":"*Title*"}]})", R"({"title":"My Title Here"})",
     true},
    {"WildcardStarMatchesNothing", R"({"title":[{"wildcard":"*Title*"}]})", R"({"title":"Title"})",
     true},
    {"WildcardEscapedStar", R"({"name":[{"wildcard":"a\\*b"}]})", R"({"name":"a*b"})", true},
    {"WildcardEscapedStarIsNotAWildcard", R"({"name":[{"wildcard":"a\\*b"}]})",
     R"({"name":"axxb"})", false},
    {"WildcardEscapedBackslash", R"({"path":[{"wildcard":"C:\\\\*"}]})",
     R"({"path":"C:\\Windows"})", true},
    {"WildcardOnlyAppliesToStrings", R"({"n":[{"wildcard":"1*"}]})", R"({"n":12})", false},

    // --- "Content filtering ...": $or ---
    {"OrLocationOrDay", R"({"$or":[{"Location":["New York"]},{"Day":["Monday"]}]})",
     R"({"Location":"Boston","Day":"Monday"})", true},
    {"OrNeitherAlternative", R"({"$or":[{"Location":["New York"]},{"Day":["Monday"]}]})",
     R"({"Location":"Boston","Day":"Tuesday"})", false},
    {"OrWithAnAndOutside",
     R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]})",
     R"({"source":"aws.cloudwatch","namespace":"AWS/ES"})", true},
    {"OrWithAnAndOutsideFails",
     R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]})",
     R"({"source":"aws.ec2","metricName":"CPUUtilization"})", false},
    {"OrWithAnAndInside",
     R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2","AWS/ES"]},{"scope":["Service"]}]})",
     R"({"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/EC2"})", true},
    {"OrWithAnAndInsideNeedsBoth",
     R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2","AWS/ES"]},{"scope":["Service"]}]})",
     R"({"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/RDS"})", false},
    {"OrNestedInAField",
     R"({"detail":{"$or":[{"source":["aws.cloudwatch"]},{"detail-type":["CloudWatch Alarm State Change"]}]}})",
     R"({"detail":{"detail-type":"CloudWatch Alarm State Change"}})", true},
    {"OrOfNumericConditions",
     R"({"$or":[{"detail":{"c-count":[{"numeric":[">",10]}]}},{"detail":{"d-count":[{"numeric":["<",10]}]}}]})",
     kRulerEvent, true},
    {"OrNestedInsideOr",
     R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]}]})",
     R"({"source":"aws.cloudwatch","namespace":"AWS/EC2","spaceId":1000})", true},

    // --- "Content filtering ...": complex example with multiple matching ---
    {"ComplexExample",
     R"({"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}]}})",
     kRulerEvent, true},
    {"ComplexExampleOneConditionFails",
     R"({"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"running"}],"c-count":[{"numeric":[">",0,"<=",5]}]}})",
     kRulerEvent, false},

    // --- "Amazon EventBridge Pipes event filtering": metadata and data properties ---
    {"PipesPartitionKeyAndCity", R"({"partitionKey":["1"],"data":{"City":["Seattle"]}})",
     kKinesisEvent, true},
    {"PipesOtherCity", R"({"partitionKey":["1"],"data":{"City":["Portland"]}})", kKinesisEvent,
     false},
    {"PipesBase64JsonDataIsDecoded", R"({"partitionKey":["1"],"data":{"City":["Seattle"]}})",
     kKinesisBase64Event, true},
    {"PipesDataThatIsNotJsonIsDropped", R"({"data":{"City":["Seattle"]}})", kKinesisTextEvent,
     false},
    {"PipesMetadataOnlyPatternOnNonJsonData", R"({"partitionKey":["1"]})", kKinesisTextEvent, true},

    // --- shardpipe envelopes (CONTRACT section 3): local/kinesis with JSON data ---
    {"LocalStatusPaid", R"({"data":{"status":["paid"]}})", kLocalJsonEnvelope, true},
    {"LocalStatusNotPaid", R"({"data":{"status":["refunded"]}})", kLocalJsonEnvelope, false},
    {"LocalNestedAmount",
     R"({"eventSource":["shardpipe:local"],"data":{"order":{"amount":[{"numeric":[">=",40,"<",50]}],"currency":["EUR"]}}})",
     kLocalJsonEnvelope, true},
    {"LocalItemsOfTheOrder", R"({"data":{"order":{"items":{"sku":["B-7"],"qty":[1]}}}})",
     kLocalJsonEnvelope, true},
    {"LocalItemsFieldsOfDifferentItems",
     R"({"data":{"order":{"items":{"sku":["B-7"],"qty":[2]}}}})", kLocalJsonEnvelope, false},
    {"LocalClientIpInPrivateRange", R"({"data":{"client_ip":[{"cidr":"192.168.0.0/16"}]}})",
     kLocalJsonEnvelope, true},
    {"LocalPartitionKeyPrefix", R"({"partitionKey":[{"prefix":"customer-"}]})", kLocalJsonEnvelope,
     true},
    {"LocalTextDataHoldingJson", R"({"data":{"status":["paid"]}})", kLocalTextEnvelope, true},
    {"LocalBase64DataHoldingJson", R"({"data":{"order":{"id":["o-1"]}}})", kLocalBase64Envelope,
     true},
    {"LocalTextDataAsAString", R"({"data":[{"prefix":"{\"status\""}]})", kLocalTextEnvelope, true},

    // --- shardpipe envelopes: kafka with its value ---
    {"KafkaTopicAndAmount", R"({"topic":["payments"],"value":{"amount":[{"numeric":[">",100]}]}})",
     kKafkaEnvelope, true},
    {"KafkaSmallAmount", R"({"value":{"amount":[{"numeric":[">",1000]}]}})", kKafkaEnvelope, false},
    {"KafkaCurrencyBooleanAndNull",
     R"({"value":{"currency":["EUR","007"],"refunded":[false],"note":[null]}})", kKafkaEnvelope,
     true},
    {"KafkaKeyPrefix", R"({"key":[{"prefix":"order-"}],"partition":[3]})", kKafkaEnvelope, true},
    {"KafkaHeaders", R"({"headers":{"trace":["abc"]}})", kKafkaEnvelope, true},

    // --- shardpipe envelopes: DynamoDB Streams records, typed and unmarshalled images ---
    {"DynamoDbEventName", R"({"eventName":["INSERT","MODIFY"]})", kDynamoDbRecord, true},
    {"DynamoDbTypedString", R"({"dynamodb":{"NewImage":{"status":{"S":["paid"]}}}})",
     kDynamoDbRecord, true},
    {"DynamoDbTypedStringOtherValue", R"({"dynamodb":{"NewImage":{"status":{"S":["pending"]}}}})",
     kDynamoDbRecord, false},
    {"DynamoDbUnmarshalledString", R"({"dynamodb":{"NewImage":{"status":["paid"]}}})",
     kDynamoDbRecord, true},
    {"DynamoDbOldImage",
     R"({"dynamodb":{"OldImage":{"status":["pending"]},"NewImage":{"status":["paid"]}}})",
     kDynamoDbRecord, true},
    {"DynamoDbKeys", R"({"dynamodb":{"Keys":{"pk":[{"prefix":"order#"}]}}})", kDynamoDbRecord,
     true},
    {"DynamoDbUnmarshalledNumber",
     R"({"dynamodb":{"NewImage":{"amount":[{"numeric":[">",100]}]}}})", kDynamoDbRecord, true},
    {"DynamoDbUnmarshalledExactNumber", R"({"dynamodb":{"NewImage":{"amount":[150.5]}}})",
     kDynamoDbRecord, true},
    {"DynamoDbTypedNumberIsAString", R"({"dynamodb":{"NewImage":{"amount":{"N":["150.5"]}}}})",
     kDynamoDbRecord, true},
    {"DynamoDbTypedNumberIsNotNumeric",
     R"({"dynamodb":{"NewImage":{"amount":{"N":[{"numeric":[">",100]}]}}}})", kDynamoDbRecord,
     false},
    {"DynamoDbBoolAndNull", R"({"dynamodb":{"NewImage":{"active":[true],"note":[null]}}})",
     kDynamoDbRecord, true},
    {"DynamoDbStringSet", R"({"dynamodb":{"NewImage":{"tags":["vip"]}}})", kDynamoDbRecord, true},
    {"DynamoDbNumberSet", R"({"dynamodb":{"NewImage":{"scores":[{"numeric":[">",10]}]}}})",
     kDynamoDbRecord, true},
    {"DynamoDbMapAttribute", R"({"dynamodb":{"NewImage":{"address":{"city":["Paris"]}}}})",
     kDynamoDbRecord, true},
    {"DynamoDbTypedMapAttribute",
     R"({"dynamodb":{"NewImage":{"address":{"M":{"city":{"S":["Paris"]}}}}}})", kDynamoDbRecord,
     true},
    {"DynamoDbTypedMapUnmarshalledInside",
     R"({"dynamodb":{"NewImage":{"address":{"M":{"zip":["75001"]}}}}})", kDynamoDbRecord, true},
    {"DynamoDbListOfMaps", R"({"dynamodb":{"NewImage":{"lines":{"sku":["B-7"],"qty":[1]}}}})",
     kDynamoDbRecord, true},
    {"DynamoDbListOfMapsSameElement",
     R"({"dynamodb":{"NewImage":{"lines":{"sku":["B-7"],"qty":[2]}}}})", kDynamoDbRecord, false},
    {"DynamoDbMissingAttribute", R"({"dynamodb":{"NewImage":{"deletedAt":[{"exists":false}]}}})",
     kDynamoDbRecord, true},
    {"DynamoDbPresentAttribute", R"({"dynamodb":{"NewImage":{"status":[{"exists":true}]}}})",
     kDynamoDbRecord, true},
};

struct InvalidCase {
  std::string_view name;
  std::string_view pattern;
  std::string_view error;  // a fragment of PatternError::text()
};

inline constexpr InvalidCase kInvalidCases[] = {
    {"NotJson", R"({"source": ["aws.ec2"])", "the pattern is not valid JSON"},
    {"NotAnObject", R"(["aws.ec2"])", "a pattern must be a JSON object"},
    {"EmptyPattern", R"({})", "the pattern is empty"},
    {"BareScalarLeaf", R"({"source":"aws.ec2"})",
     "source: the values to match must be in a list, such as [\"aws.ec2\"]"},
    {"BareNumberLeaf", R"({"detail":{"risk":8}})",
     "detail.risk: the values to match must be in a list"},
    {"EmptyValueList", R"({"source":[]})", "source: the list of values is empty"},
    {"EmptyNestedObject", R"({"detail":{}})", "detail: an empty object matches nothing"},
    {"ListInAList", R"({"source":[["aws.ec2"]]})",
     "source: a list of values cannot hold another list"},
    {"MatcherWithTwoKeys", R"({"a":[{"prefix":"x","suffix":"y"}]})",
     "a: a matcher is an object with exactly one key"},
    {"EmptyMatcher", R"({"a":[{}]})", "a: a matcher is an object with exactly one key"},
    {"UnknownMatcher", R"({"a":[{"prefx":"x"}]})",
     "a: unknown matcher 'prefx'; did you mean 'prefix'?"},
    {"UnknownMatcherFarFromAny", R"({"a":[{"between":[1,2]}]})",
     "a: unknown matcher 'between'; the matchers are"},
    {"PrefixNotAString", R"({"a":[{"prefix":5}]})", "a: prefix needs a string"},
    {"PrefixIgnoreCaseNotAString", R"({"a":[{"prefix":{"equals-ignore-case":5}}]})",
     "a: prefix needs a string, or {\"equals-ignore-case\": \"...\"}"},
    {"SuffixWithAnotherObject", R"({"a":[{"suffix":{"wildcard":"x"}}]})",
     "a: suffix needs a string"},
    {"EqualsIgnoreCaseNotAString", R"({"a":[{"equals-ignore-case":["x"]}]})",
     "a: equals-ignore-case needs a string"},
    {"NumericWithoutNumber", R"({"data":{"amount":[{"numeric":[">"]}]}})",
     "data.amount: numeric needs an operator and a number"},
    {"NumericNotAList", R"({"data":{"amount":[{"numeric":">5"}]}})",
     "data.amount: numeric needs an operator and a number"},
    {"NumericThreeItems", R"({"n":[{"numeric":[">",1,"<"]}]})",
     "n: numeric needs an operator and a number, or two of each"},
    {"NumericNumberAsString", R"({"n":[{"numeric":[">","5"]}]})",
     "n: numeric: '>' needs a number after it, got \"5\""},
    {"NumericUnknownOperator", R"({"n":[{"numeric":["!=",5]}]})",
     "n: numeric: \"!=\" is not an operator"},
    {"NumericTwoLowerBounds", R"({"n":[{"numeric":[">",0,">=",5]}]})",
     "n: numeric: a range needs one lower bound (> or >=) and one upper bound"},
    {"NumericEqualsInARange", R"({"n":[{"numeric":["=",1,"<",5]}]})",
     "n: numeric: '=' stands alone"},
    {"NumericEmptyRange", R"({"n":[{"numeric":[">",5,"<",3]}]})",
     "n: numeric: no number is in the range"},
    {"NumericEmptyPointRange", R"({"n":[{"numeric":[">",5,"<=",5]}]})",
     "n: numeric: no number is in the range"},
    {"ExistsNotABoolean", R"({"a":[{"exists":"yes"}]})",
     "a: exists must be true or false, got \"yes\""},
    {"CidrWithoutPrefixLength", R"({"ip":[{"cidr":"10.0.0.0"}]})",
     "ip: cidr needs an IPv4 or IPv6 block with a prefix length"},
    {"CidrIpv4PrefixTooLong", R"({"ip":[{"cidr":"10.0.0.0/33"}]})",
     "ip: the prefix length of a cidr block must be a number from 0 to 32"},
    {"CidrIpv6PrefixTooLong", R"({"ip":[{"cidr":"2001:db8::/129"}]})",
     "ip: the prefix length of a cidr block must be a number from 0 to 128"},
    {"CidrBadAddress", R"({"ip":[{"cidr":"300.1.1.1/8"}]})",
     "ip: cidr needs an IPv4 or IPv6 block"},
    {"CidrNotAString", R"({"ip":[{"cidr":10}]})", "ip: cidr needs a string"},
    {"WildcardConsecutiveStars", R"({"f":[{"wildcard":"a**b"}]})",
     "f: wildcard \"a**b\": two '*' in a row are not allowed (character 3)"},
    {"WildcardBadEscape", R"({"f":[{"wildcard":"a\\b"}]})",
     "f: wildcard \"a\\\\b\": a backslash may only escape '*' or '\\' (character 2)"},
    {"WildcardTrailingBackslash", R"({"f":[{"wildcard":"ab\\"}]})", "a backslash may only escape"},
    {"WildcardNotAString", R"({"f":[{"wildcard":5}]})", "f: wildcard needs a string"},
    {"AnythingButNull", R"({"s":[{"anything-but":null}]})",
     "s: anything-but takes a string, a number"},
    {"AnythingButBoolean", R"({"s":[{"anything-but":true}]})", "s: anything-but takes a string"},
    {"AnythingButMixedList", R"({"s":[{"anything-but":["a",1]}]})",
     "s: anything-but: a list holds only strings or only numbers, not both"},
    {"AnythingButNullInAList", R"({"s":[{"anything-but":["a",null]}]})",
     "s: anything-but: a list holds only strings or only numbers, got null"},
    {"AnythingButEmptyList", R"({"s":[{"anything-but":[]}]})",
     "s: anything-but: the list is empty"},
    {"AnythingButPrefixNotAString", R"({"s":[{"anything-but":{"prefix":5}}]})",
     "s: anything-but prefix needs a string"},
    {"AnythingButNumericInside", R"({"s":[{"anything-but":{"numeric":[">",1]}}]})",
     "s: anything-but takes prefix, suffix, equals-ignore-case or wildcard inside an object, not "
     "'numeric'"},
    {"AnythingButTwoKeys", R"({"s":[{"anything-but":{"prefix":"a","suffix":"b"}}]})",
     "s: anything-but takes an object with one key"},
    {"AnythingButBadWildcard", R"({"s":[{"anything-but":{"wildcard":"**"}}]})",
     "two '*' in a row are not allowed"},
    {"OrWithOneAlternative", R"({"$or":[{"a":["1"]}]})",
     "$or: $or needs at least two patterns to choose from, got 1"},
    {"OrNotAList", R"({"$or":{"a":["1"]}})", "$or: $or needs a list of at least two patterns"},
    {"OrAlternativeNotAnObject", R"({"$or":[{"a":["1"]},"b"]})",
     "$or[1]: each alternative of $or must be a pattern object"},
    {"OrEmptyAlternative", R"({"$or":[{"a":["1"]},{}]})",
     "$or[1]: an empty alternative matches nothing"},
    {"ErrorInsideAnOrAlternative", R"({"detail":{"$or":[{"a":["1"]},{"b":[{"numeric":[">"]}]}]}})",
     "detail.$or[1].b: numeric needs an operator and a number"},
    {"DuplicateKey", R"({"a":["1"],"a":["2"]})", "a: 'a' appears twice in the same object"},
};

}  // namespace shardpipe::filter::conformance
