import { Duration } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { fixLogicalId } from './nag';

/** The two container images of docker/: the trainer (SageMaker training) and the inference server (batch transform). */
export class ImageRepositories extends Construct {
  readonly trainer: ecr.Repository;
  readonly inference: ecr.Repository;

  constructor(scope: Construct, id: string, props: { namePrefix: string }) {
    super(scope, id);
    const repository = (name: string) =>
      new ecr.Repository(this, name, {
        repositoryName: `${props.namePrefix}/${name.toLowerCase()}`,
        imageScanOnPush: true,
        // Immutable tags: a training job and the model made from it always name the exact image
        // they ran; a new build is pushed under a new tag (its git revision) and selected with
        // `-c imageTag=...`. Only the moving branch tags the CI pushes, `latest` (main) and `dev`,
        // are excluded.
        imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
        imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard('latest'), ecr.ImageTagMutabilityExclusionFilter.wildcard('dev')],
        lifecycleRules: [
          { rulePriority: 1, description: 'drop untagged images after a week', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) },
          { rulePriority: 2, description: 'keep the 30 newest images', tagStatus: ecr.TagStatus.ANY, maxImageCount: 30 },
        ],
      });
    this.trainer = repository('Trainer');
    this.inference = repository('Inference');
    fixLogicalId(this.trainer, 'TrainerRepository');
    fixLogicalId(this.inference, 'InferenceRepository');
  }

  /**
   * `<account>.dkr.ecr.<region>.<suffix>/<name>:<tag>` from the repository's RepositoryUri
   * attribute (CDK's repositoryUriForTag splits the ARN instead, which plain ASL cannot show).
   */
  imageUri(repository: ecr.Repository, tag: string): string {
    return `${(repository.node.defaultChild as ecr.CfnRepository).attrRepositoryUri}:${tag}`;
  }
}
