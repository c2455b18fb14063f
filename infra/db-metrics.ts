// CloudWatch metrics of Aurora and RDS Proxy (namespace AWS/RDS), and the connection ceiling Aurora derives from its capacity.
import { Duration } from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";

const FIVE_MINUTES = Duration.minutes(5);

export function databaseMetric(clusterIdentifier: string, metricName: string, statistic: string): cw.Metric {
  return new cw.Metric({
    namespace: "AWS/RDS",
    metricName,
    dimensionsMap: { DBClusterIdentifier: clusterIdentifier },
    statistic,
    period: FIVE_MINUTES,
  });
}

export function proxyMetric(proxyName: string, metricName: string, statistic: string): cw.Metric {
  return new cw.Metric({ namespace: "AWS/RDS", metricName, dimensionsMap: { ProxyName: proxyName }, statistic, period: FIVE_MINUTES });
}

/**
 * Aurora PostgreSQL's default max_connections, LEAST(DBInstanceClassMemory / 9531392, 5000),
 * taken at the maximum ACU (2 GiB each) because Serverless v2 sizes it for the maximum.
 */
export function auroraMaxConnections(maxAcu: number): number {
  return Math.min(Math.floor((maxAcu * 2 * 1024 ** 3) / 9_531_392), 5000);
}
