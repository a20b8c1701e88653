"""Storage configurations: the "S3 bucket" is a directory under storage.root, driven by boto3 and
the AWS CLI against the real daemon."""
import os
import re
import shutil
import signal
import tempfile
import unittest

from harness import ACCOUNT, REGION, GatewayTestCase

ARN_RE = rf"^arn:aws:ivs:{REGION}:{ACCOUNT}:storage-configuration/[A-Za-z0-9]{{12}}$"
UNKNOWN_ARN = f"arn:aws:ivs:{REGION}:{ACCOUNT}:storage-configuration/AAAAAAAAAAAA"


class StorageTestCase(GatewayTestCase):
    def storage_daemon(self):
        """A daemon whose storage.root does not exist yet (Create makes it)."""
        tmp = tempfile.mkdtemp(prefix="stagegate-storage-")
        self.addCleanup(shutil.rmtree, tmp, True)
        self.root = os.path.join(tmp, "buckets")
        return self.daemon(config={"storage": {"root": self.root}})

    def raw_client(self, d):
        """boto3 without client-side parameter validation: the server's checks are under test."""
        import boto3
        from botocore.config import Config
        from harness import API_KEY_ID, API_SECRET
        return boto3.client("ivs-realtime", endpoint_url=d.api, region_name=REGION,
                            aws_access_key_id=API_KEY_ID, aws_secret_access_key=API_SECRET,
                            config=Config(retries={"max_attempts": 1}, parameter_validation=False))

    def assert_error(self, call, code, status, *words):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as e:
            call()
        err = e.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        for w in words:
            self.assertIn(w, err["Message"])
        return err["Message"]


class StorageConfigurationLifecycleTest(StorageTestCase):
    def test_create_get_list_delete_with_boto3_and_the_aws_cli(self):
        d = self.storage_daemon()
        c = d.boto3()
        sc = c.create_storage_configuration(name="recordings", s3={"bucketName": "rec-bucket.1"},
                                            tags={"team": "video"})["storageConfiguration"]
        self.assertRegex(sc["arn"], ARN_RE)
        self.assertEqual((sc["name"], sc["s3"], sc["tags"]),
                         ("recordings", {"bucketName": "rec-bucket.1"}, {"team": "video"}))
        bucket = os.path.join(self.root, "rec-bucket.1")
        self.assertTrue(os.path.isdir(bucket), "Create makes the bucket directory")
        self.assertEqual(c.get_storage_configuration(arn=sc["arn"])["storageConfiguration"], sc)

        cli = d.aws("create-storage-configuration", "--s3", "bucketName=other-bucket")
        other = cli["storageConfiguration"]
        self.assertEqual((other["name"], other["s3"], other["tags"]),
                         ("", {"bucketName": "other-bucket"}, {}))
        self.assertTrue(os.path.isdir(os.path.join(self.root, "other-bucket")))
        listed = d.aws("list-storage-configurations")["storageConfigurations"]
        self.assertEqual(listed, [sc, other])
        self.assertNotIn("nextToken", c.list_storage_configurations())

        # A recording in the bucket is the operator's: Delete removes only the resource.
        with open(os.path.join(bucket, "recording.mp4"), "w") as f:
            f.write("media")
        self.assertEqual(c.delete_storage_configuration(arn=sc["arn"])["ResponseMetadata"]
                         ["HTTPStatusCode"], 200)
        self.assertTrue(os.path.isfile(os.path.join(bucket, "recording.mp4")))
        self.assert_error(lambda: c.get_storage_configuration(arn=sc["arn"]),
                          "ResourceNotFoundException", 404)
        self.assertEqual([x["arn"] for x in c.list_storage_configurations()
                          ["storageConfigurations"]], [other["arn"]])

        # Two configurations may share a bucket, and an existing directory is adopted as it is.
        again = c.create_storage_configuration(s3={"bucketName": "rec-bucket.1"})
        self.assertNotEqual(again["storageConfiguration"]["arn"], sc["arn"])
        self.assertTrue(os.path.isfile(os.path.join(bucket, "recording.mp4")))

    def test_unknown_arns_are_not_found(self):
        d = self.storage_daemon()
        c = d.boto3()
        sc = c.create_storage_configuration(s3={"bucketName": "b-1"})["storageConfiguration"]
        # Same id under another region: not the same resource.
        moved = sc["arn"].replace(f":{REGION}:", ":eu-west-1:")
        for arn in (UNKNOWN_ARN, moved):
            self.assert_error(lambda: c.get_storage_configuration(arn=arn),
                              "ResourceNotFoundException", 404)
            self.assert_error(lambda: c.delete_storage_configuration(arn=arn),
                              "ResourceNotFoundException", 404)
            self.assert_error(lambda: c.list_tags_for_resource(resourceArn=arn),
                              "ResourceNotFoundException", 404)
            self.assert_error(lambda: c.tag_resource(resourceArn=arn, tags={"a": "b"}),
                              "ResourceNotFoundException", 404)
        # An ARN of another kind is refused by the model's pattern.
        stage = c.create_stage(name="s")["stage"]["arn"]
        self.assert_error(lambda: c.get_storage_configuration(arn=stage), "ValidationException",
                          400, "'arn'")
        c.delete_storage_configuration(arn=sc["arn"])
        self.assert_error(lambda: c.delete_storage_configuration(arn=sc["arn"]),
                          "ResourceNotFoundException", 404)


class StorageConfigurationValidationTest(StorageTestCase):
    def test_bad_bucket_names_and_missing_s3_are_refused_without_touching_the_disk(self):
        d = self.storage_daemon()
        c = self.raw_client(d)
        for bucket in ("...", "a..b", "..x", "x..", ".", "..", "Upper-Case", "a/b", "ab",
                       "b" * 64, "with space"):
            msg = self.assert_error(
                lambda: c.create_storage_configuration(s3={"bucketName": bucket}),
                "ValidationException", 400, "'s3.bucketName'")
            self.assertRegex(msg, r"^1 validation error detected: ")
        self.assert_error(lambda: c.create_storage_configuration(name="n"), "ValidationException",
                          400, "'s3'")
        self.assert_error(lambda: c.create_storage_configuration(s3={}), "ValidationException",
                          400, "'s3.bucketName'")
        self.assert_error(lambda: c.create_storage_configuration(
            name="bad name!", s3={"bucketName": "fine"}), "ValidationException", 400, "'name'")
        self.assertFalse(os.path.exists(self.root), "no refused request made a directory")
        self.assertEqual(c.list_storage_configurations()["storageConfigurations"], [])
        # The AWS CLI sees the same refusal for a '..' name.
        r = d.aws("create-storage-configuration", "--s3", "bucketName=a..b", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ValidationException", r.stderr)
        self.assertIn("s3.bucketName", r.stderr)

    def test_a_bucket_that_cannot_be_made_is_an_internal_error_naming_only_the_bucket(self):
        d = self.storage_daemon()
        c = d.boto3()
        os.makedirs(self.root)
        with open(os.path.join(self.root, "taken"), "w") as f:
            f.write("a file, not a directory")
        msg = self.assert_error(lambda: c.create_storage_configuration(s3={"bucketName": "taken"}),
                                "InternalServerException", 500, "taken")
        self.assertNotIn(self.root, msg)
        self.assertNotIn("/", msg)
        self.assertEqual(c.list_storage_configurations()["storageConfigurations"], [])


class StorageConfigurationPaginationTest(StorageTestCase):
    def test_more_than_50_configurations_page_in_creation_order(self):
        d = self.storage_daemon()
        c = d.boto3()
        arns = [c.create_storage_configuration(name=f"sc{i}", s3={"bucketName": f"bucket-{i:03d}"})
                ["storageConfiguration"]["arn"] for i in range(55)]
        self.assertEqual(len(set(arns)), 55)
        first = c.list_storage_configurations()
        self.assertEqual(len(first["storageConfigurations"]), 50)
        rest = c.list_storage_configurations(nextToken=first["nextToken"])
        self.assertNotIn("nextToken", rest)
        self.assertEqual([x["arn"] for x in first["storageConfigurations"] +
                          rest["storageConfigurations"]], arns)
        self.assertEqual(rest["storageConfigurations"][-1]["s3"], {"bucketName": "bucket-054"})
        # botocore has no paginator for this operation: page by hand with maxResults.
        self.assertFalse(c.can_paginate("list_storage_configurations"))
        seen, token, pages = [], None, 0
        while True:
            page = c.list_storage_configurations(maxResults=7, **({"nextToken": token} if token else {}))
            self.assertLessEqual(len(page["storageConfigurations"]), 7)
            seen += [x["arn"] for x in page["storageConfigurations"]]
            pages += 1
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual((seen, pages), (arns, 8))
        self.assertEqual(len(c.list_storage_configurations(maxResults=100)
                             ["storageConfigurations"]), 55)
        self.assert_error(lambda: c.list_storage_configurations(nextToken="bm90LWEtdG9rZW4"),
                          "ValidationException", 400)
        self.assert_error(lambda: self.raw_client(d).list_storage_configurations(maxResults=101),
                          "ValidationException", 400, "'maxResults'")


class StorageConfigurationTagsTest(StorageTestCase):
    def test_tag_untag_and_list_tags_on_a_storage_configuration(self):
        d = self.storage_daemon()
        c = d.boto3()
        arn = c.create_storage_configuration(s3={"bucketName": "tagged"}, tags={"a": "1"})[
            "storageConfiguration"]["arn"]
        self.assertEqual(c.list_tags_for_resource(resourceArn=arn)["tags"], {"a": "1"})
        c.tag_resource(resourceArn=arn, tags={"b": "2", "a": "one"})
        self.assertEqual(c.list_tags_for_resource(resourceArn=arn)["tags"], {"a": "one", "b": "2"})
        c.untag_resource(resourceArn=arn, tagKeys=["a", "missing"])
        self.assertEqual(c.get_storage_configuration(arn=arn)["storageConfiguration"]["tags"],
                         {"b": "2"})
        d.aws("tag-resource", "--resource-arn", arn, "--tags", "cli=yes")
        self.assertEqual(d.aws("list-tags-for-resource", "--resource-arn", arn)["tags"],
                         {"b": "2", "cli": "yes"})
        self.assertEqual(c.list_storage_configurations()["storageConfigurations"][0]["tags"],
                         {"b": "2", "cli": "yes"})
        self.assert_error(lambda: c.tag_resource(
            resourceArn=arn, tags={f"k{i}": "v" for i in range(49)}), "ValidationException", 400)


class StorageConfigurationDurabilityTest(StorageTestCase):
    def test_acknowledged_configurations_survive_a_restart_and_kill_9(self):
        d = self.storage_daemon()
        c = d.boto3()
        kept = [c.create_storage_configuration(name=f"k{i}", s3={"bucketName": f"keep-{i}"})
                ["storageConfiguration"] for i in range(3)]
        gone = c.create_storage_configuration(s3={"bucketName": "gone"})["storageConfiguration"]
        c.tag_resource(resourceArn=kept[1]["arn"], tags={"x": "y"})
        kept[1]["tags"] = {"x": "y"}
        c.delete_storage_configuration(arn=gone["arn"])

        d.stop()
        d.log_file.close()
        d.start()
        c = d.boto3()
        self.assertEqual(c.list_storage_configurations()["storageConfigurations"], kept)
        self.assert_error(lambda: c.get_storage_configuration(arn=gone["arn"]),
                          "ResourceNotFoundException", 404)

        late = c.create_storage_configuration(s3={"bucketName": "late"})["storageConfiguration"]
        d.stop(signal.SIGKILL)
        d.log_file.close()
        d.start()
        c = d.boto3()
        self.assertEqual(c.get_storage_configuration(arn=late["arn"])["storageConfiguration"], late)
        self.assertEqual(len(c.list_storage_configurations()["storageConfigurations"]), 4)
        self.assertEqual(c.list_tags_for_resource(resourceArn=kept[1]["arn"])["tags"], {"x": "y"})
        self.assertTrue(re.match(ARN_RE, late["arn"]))


if __name__ == "__main__":
    unittest.main()
